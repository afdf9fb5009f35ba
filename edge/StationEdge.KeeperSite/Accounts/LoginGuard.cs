namespace StationEdge.KeeperSite.Accounts;

/// <summary>
/// Failed logins counted per address and name: after <c>KeeperSite:LoginAttempts</c> failures within the lock-out
/// time, that name is locked from that address for <c>KeeperSite:LockoutMinutes</c> (HTTP 429), whatever password
/// comes next. Keyed on both, so one phone guessing does not lock the keeper out of their own phone; the per-address
/// rate limit on the login page bounds guessing across names. In memory: a restart forgets, which a LAN attacker
/// cannot cause.
/// </summary>
public sealed class LoginGuard(int attempts, TimeSpan lockout, TimeProvider time)
{
    private const int MaxTracked = 10_000;
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
            if (_failures.Count >= MaxTracked)
            {
                _failures.Clear();
            }

            var key = Key(address, name);
            if (!_failures.TryGetValue(key, out var list))
            {
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

    private void Expire(List<long> list) => list.RemoveAll(t => time.GetElapsedTime(t) > lockout);

    private static string Key(string address, string name) => address + "\n" + name;
}
