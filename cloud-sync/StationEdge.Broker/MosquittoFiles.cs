using System.Security.Cryptography;
using System.Text;
using StationEdge.Sync.Contracts;

namespace StationEdge.Broker;

/// <summary>
/// Lines of Mosquitto 2's <c>password_file</c>: <c>user:$7$iterations$salt$hash</c>, PBKDF2-HMAC-SHA512 with a 12-byte
/// salt, the format <c>mosquitto_passwd</c> writes, so the county needs no mosquitto_passwd run per station.
/// </summary>
public static class MosquittoPassword
{
    private const int Iterations = 101;
    private const int SaltBytes = 12;
    private const int HashBytes = 64;

    public static string Line(string user, string password)
    {
        CheckUser(user);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA512, HashBytes);
        return $"{user}:$7${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Whether <paramref name="line"/> (from a password file) accepts <paramref name="password"/> for its user.</summary>
    public static bool Matches(string line, string password)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        var parts = colon < 0 ? [] : line[(colon + 1)..].Split('$');
        if (parts.Length != 5 || parts[1] != "7" || !int.TryParse(parts[2], out var iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[3]);
            var expected = Convert.FromBase64String(parts[4]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>A new random password: 24 bytes, URL-safe base64 (32 characters).</summary>
    /// <summary>The password file's text without <paramref name="user"/>'s line (every other line as it was).</summary>
    public static string Without(string fileText, string user)
    {
        CheckUser(user);
        ArgumentNullException.ThrowIfNull(fileText);
        return string.Join('\n', fileText.Split('\n').Where(l => !l.StartsWith(user + ":", StringComparison.Ordinal)));
    }

    public static string NewPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    internal static void CheckUser(string user)
    {
        if (!Ids.IsValid(user))
        {
            throw new ArgumentException($"MQTT user '{user}' must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
        }
    }
}

/// <summary>
/// Blocks of Mosquitto's <c>acl_file</c>. A station writes only its own visits, events, status and resync requests and
/// reads only its own acks, commands and roster answers and its county's roster; the hub is the only writer of acks,
/// commands and rosters. Mosquitto denies whatever no line grants.
/// </summary>
public static class MosquittoAcl
{
    public static string StationBlock(string user, string station, string county)
    {
        MosquittoPassword.CheckUser(user);
        return $"""
            user {user}
            topic write {Topics.Visits(station)}
            topic write {Topics.Events(station)}
            topic write {Topics.Status(station)}
            topic write {Topics.Resync(station)}
            topic read {Topics.Acks(station)}
            topic read {Topics.Commands(station)}
            topic read {Topics.StationRoster(station)}
            topic read {Topics.CountyRoster(county)}
            topic read {Topics.RosterHead(county)}

            """;
    }

    /// <summary>
    /// The ACL file's text without <paramref name="user"/>'s block: from its <c>user</c> line up to the next
    /// <c>user</c> or <c>pattern</c> line (Mosquitto's own block boundaries), blank lines after it included.
    /// </summary>
    public static string Without(string aclText, string user)
    {
        MosquittoPassword.CheckUser(user);
        ArgumentNullException.ThrowIfNull(aclText);
        var kept = new System.Text.StringBuilder();
        var inBlock = false;
        foreach (var line in aclText.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("user ", StringComparison.Ordinal) || trimmed.StartsWith("pattern ", StringComparison.Ordinal))
            {
                inBlock = trimmed == "user " + user;
            }

            if (!inBlock)
            {
                kept.Append(line).Append('\n');
            }
        }

        return kept.ToString(0, Math.Max(0, kept.Length - 1));
    }

    public static string HubBlock(string user, string county)
    {
        MosquittoPassword.CheckUser(user);
        Ids.County(county);
        return $"""
            user {user}
            topic read stations/+/visits
            topic read stations/+/events
            topic read stations/+/status
            topic read stations/+/resync
            topic write stations/+/acks
            topic write stations/+/commands
            topic write stations/+/roster
            topic write {Topics.CountyRoster(county)}
            topic write {Topics.RosterHead(county)}

            """;
    }
}
