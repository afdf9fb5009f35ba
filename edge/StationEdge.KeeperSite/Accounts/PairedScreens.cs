using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StationEdge.KeeperSite.Accounts;

/// <summary>A door screen a keeper paired: only the hash of its token is kept.</summary>
public sealed record PairedScreen(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("token_sha256")] string TokenSha256,
    [property: JsonPropertyName("paired_by")] string PairedBy,
    [property: JsonPropertyName("paired_at")] DateTimeOffset PairedAt,
    [property: JsonPropertyName("last_used_at")] DateTimeOffset? LastUsedAt);

/// <summary>A code a keeper asked for on the 门 page, waiting to be typed on a screen.</summary>
public sealed record PairingCode(string Code, string Keeper, DateTimeOffset ExpiresAt);

/// <summary>
/// The door screens allowed to show the camera and the greetings from another machine than the Pi: a keeper asks for
/// a six-digit code (valid <see cref="CodeLifetime"/>, once), types it on the screen, and the screen gets a long random
/// token in a cookie. <c>screens.json</c> (0600, in the data folder) keeps each screen's token hash, who paired it and
/// when it was last used; revoking removes it, and the next request with that token is refused. Codes live in memory
/// only: a restart cancels the pending ones. After <see cref="MaxWrongCodes"/> wrong codes every pending code is
/// cancelled, so guessing the million codes is not a way in.
/// </summary>
public sealed class PairedScreens
{
    public const string FileName = "screens.json";
    public const string CookieName = "se_screen";
    public const int MaxWrongCodes = 10;
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);

    // Last use is written at most this often: a screen asks every few seconds, the page needs minutes.
    private static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(5);
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly List<PairingCode> _codes = [];
    private List<PairedScreen> _screens;
    private int _wrongCodes;

    public PairedScreens(string dataFolder, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataFolder);
        _time = time;
        Path = System.IO.Path.Combine(System.IO.Path.GetFullPath(dataFolder), FileName);
        _screens = Read();
    }

    public string Path { get; }

    public IReadOnlyList<PairedScreen> List()
    {
        lock (_gate)
        {
            return [.. _screens];
        }
    }

    /// <summary>A new code for <paramref name="keeper"/>; their earlier pending code is cancelled.</summary>
    public PairingCode NewCode(string keeper)
    {
        lock (_gate)
        {
            Expire();
            _codes.RemoveAll(c => c.Keeper == keeper);
            var code = new PairingCode(RandomNumberGenerator.GetInt32(1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture), keeper, _time.GetUtcNow() + CodeLifetime);
            _codes.Add(code);
            return code;
        }
    }

    /// <summary>The screen paired with <paramref name="code"/> and its token (shown once, to the screen), or null for a wrong or expired code.</summary>
    public (PairedScreen Screen, string Token)? Pair(string? code, string? name)
    {
        lock (_gate)
        {
            Expire();
            var found = _codes.FirstOrDefault(c => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(c.Code), Encoding.ASCII.GetBytes(code?.Trim() ?? "")));
            if (found is null)
            {
                if (++_wrongCodes >= MaxWrongCodes)
                {
                    _codes.Clear();
                    _wrongCodes = 0;
                }

                return null;
            }

            _codes.Remove(found);
            var token = Base64Url(RandomNumberGenerator.GetBytes(32));
            var label = string.IsNullOrWhiteSpace(name) ? $"屏幕 {_screens.Count + 1}" : name.Trim()[..Math.Min(name.Trim().Length, 40)];
            var screen = new PairedScreen(Guid.NewGuid().ToString("N")[..8], label, Hash(token), found.Keeper, _time.GetUtcNow(), null);
            Save([.. _screens, screen]);
            return (screen, token);
        }
    }

    /// <summary>The paired screen <paramref name="token"/> belongs to, or null; notes the use.</summary>
    public PairedScreen? Check(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }

        var hash = Hash(token);
        lock (_gate)
        {
            var index = _screens.FindIndex(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s.TokenSha256), Encoding.ASCII.GetBytes(hash)));
            if (index < 0)
            {
                return null;
            }

            var now = _time.GetUtcNow();
            var screen = _screens[index];
            if (screen.LastUsedAt is not { } last || now - last >= LastUseResolution)
            {
                var used = screen with { LastUsedAt = now };
                var screens = _screens.ToList();
                screens[index] = used;
                TrySave(screens);
                return used;
            }

            return screen;
        }
    }

    /// <summary>Removes the screen; false when there is none with that id.</summary>
    public bool Revoke(string id)
    {
        lock (_gate)
        {
            var remaining = _screens.Where(s => s.Id != id).ToList();
            if (remaining.Count == _screens.Count)
            {
                return false;
            }

            Save(remaining);
            return true;
        }
    }

    private void Expire() => _codes.RemoveAll(c => c.ExpiresAt <= _time.GetUtcNow());

    /// <summary>A last-use note that cannot be written (a full disk) must not refuse a screen that is paired.</summary>
    private void TrySave(List<PairedScreen> screens)
    {
        try
        {
            Save(screens);
        }
        catch (KeeperAccountException)
        {
            _screens = screens;
        }
    }

    private void Save(List<PairedScreen> screens)
    {
        var temporary = Path + ".new";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var file = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(file, screens, Json);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
            _screens = screens;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeeperAccountException($"{Path} cannot be written: {e.Message}");
        }
    }

    private List<PairedScreen> Read()
    {
        try
        {
            return File.Exists(Path) ? JsonSerializer.Deserialize<List<PairedScreen>>(File.ReadAllBytes(Path)) ?? [] : [];
        }
        catch (JsonException e)
        {
            throw new KeeperAccountException($"{Path} is not a list of paired screens ({e.Message}): remove it to pair the screens again");
        }
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
