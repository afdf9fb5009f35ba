namespace StationEdge.KeeperSite.Accounts;

/// <summary>
/// Failed logins counted per address and name: after <c>KeeperSite:LoginAttempts</c> failures within the lock-out
/// time, that name is locked from that address for <c>KeeperSite:LockoutMinutes</c> (HTTP 429), whatever password
/// comes next. Keyed on both, so one phone guessing does not lock the keeper out of their own phone; the per-address
/// rate limit on the login page bounds guessing across names. In memory: a restart forgets, which a LAN attacker
/// cannot cause. The table is bounded: when full, the pairs whose failures have all expired go first, then the unlocked
/// pair whose last failure is oldest, so filling the table with new names cannot clear a lock-out that is still running.
/// </summary>
public sealed class LoginGuard(int attempts, TimeSpan lockout, TimeProvider time, int maxTracked = LoginGuard.DefaultMaxTracked)
{
    public const int DefaultMaxTracked = 10_000;
    private readonly Dictionary<string, List<long>> _failures = new(StringComparer.Ordinal);

    /// <summary>How long the pair is still locked, or null when it may try.</summary>
    public TimeSpan? LockedFor(string address, string name)
    {
        lock (_failures)
        {
            if (!_failures.TryGetValue(Key(address, name), out var list))
            {
                return null;
            }

            Expire(list);
            if (list.Count < attempts)
            {
                return null;
            }

            var left = lockout - time.GetElapsedTime(list[^1]);
            return left > TimeSpan.Zero ? left : null;
        }
    }

    public void Failed(string address, string name)
    {
        lock (_failures)
        {
            var key = Key(address, name);
            if (!_failures.TryGetValue(key, out var list))
            {
                if (_failures.Count >= maxTracked)
                {
                    MakeRoom();
                }

                _failures[key] = list = [];
            }

            Expire(list);
            list.Add(time.GetTimestamp());
        }
    }

    public void Succeeded(string address, string name)
    {
        lock (_failures)
        {
            _failures.Remove(Key(address, name));
        }
    }

    /// <summary>A scan, only when the table is full: at most one per failed login, which the login rate limit bounds.</summary>
    private void MakeRoom()
    {
        foreach (var (key, list) in _failures)
        {
            Expire(list);
            if (list.Count == 0)
            {
                _failures.Remove(key);
            }
        }

        if (_failures.Count >= maxTracked)
        {
            // Pairs not locked go before locked ones: to push out a lock-out, an attacker must lock the whole table.
            var victim = _failures.Where(p => p.Value.Count < attempts).DefaultIfEmpty(_failures.MinBy(p => p.Value[^1])).MinBy(p => p.Value[^1]);
            _failures.Remove(victim.Key);
        }
    }

    private void Expire(List<long> list) => list.RemoveAll(t => time.GetElapsedTime(t) > lockout);

    private static string Key(string address, string name) => address + "\n" + name;
}
