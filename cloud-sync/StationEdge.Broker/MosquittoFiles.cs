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
