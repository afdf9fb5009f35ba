using System.Net;
using Microsoft.Extensions.Options;
using StationEdge.KeeperSite.Accounts;

namespace StationEdge.KeeperSite;

/// <summary>The <c>KeeperSite</c> section (unknown keys refused, values checked at start naming the key).</summary>
public sealed class KeeperSiteOptions
{
    public const string SectionName = "KeeperSite";
    public const string DefaultUrls = "http://127.0.0.1:8080";
    public const string CertificateFileName = "keeper-site.pfx";

    /// <summary>
    /// Serve the site at all. The daemon (<c>station-edge run</c>) reads it before composing: false starts no web server
    /// (a station without a LAN page); the door, the camera and passes already issued work the same.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where Kestrel listens, separated by ';': e.g. <c>http://192.168.1.10:8080;https://192.168.1.10:8443</c>.</summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>The PKCS#12 certificate for https URLs; unset: <c>keeper-site.pfx</c> in the data folder (<c>station-edge keeper cert</c> makes it).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The station's name in the page header.</summary>
    public string StationName { get; set; } = "工会驿站";

    /// <summary>A login lasts this long (a keeper's shift), then the keeper logs in again.</summary>
    public int SessionMinutes { get; set; } = 480;

    public int LoginAttempts { get; set; } = 5;

    public int LockoutMinutes { get; set; } = 15;

    /// <summary>Requests to the login page per minute from one address.</summary>
    public int LoginRequestsPerMinute { get; set; } = 20;

    /// <summary>Good camera frames an enrolment takes.</summary>
    public int EnrolFrames { get; set; } = 5;

    public int CaptureTimeoutSeconds { get; set; } = 20;

    public int MaxPhotos { get; set; } = 5;

    public int MaxPhotoMegabytes { get; set; } = 15;

    public int MaxPhotoMegapixels { get; set; } = 50;

    /// <summary>The models folder for the site's own detector and embedder; unset: the default models folder.</summary>
    public string? ModelsPath { get; set; }

    /// <summary>
    /// Plain http on an address other machines can reach sends passwords and the session cookie across the station's
    /// Wi-Fi in clear: refused at start unless this is true, and then warned of at every start and on every page.
    /// </summary>
    public bool AllowPlainHttpOnLan { get; set; }

    /// <summary>The door screen shows the camera's picture (false: the greeting only).</summary>
    public bool ScreenCamera { get; set; } = true;

    /// <summary>How the door screen greets a worker: <c>Full</c> name, <c>Surname</c> with the honorific (王师傅) or <c>None</c>.</summary>
    public ScreenNameStyle ScreenName { get; set; } = ScreenNameStyle.Surname;

    /// <summary>
    /// Client addresses whose browser is the Pi's own display (a kiosk on its screen), separated by ';': they see the
    /// door screen without pairing. Every other client needs a paired screen's token or a keeper's login.
    /// </summary>
    public string ScreenAddresses { get; set; } = "127.0.0.1;::1";

    public IReadOnlySet<IPAddress> ParseScreenAddresses() =>
        ScreenAddresses.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(a => IPAddress.TryParse(a, out var ip) ? ip : throw new FormatException($"'{a}' is not an IP address"))
            .Select(ip => ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToHashSet();

    /// <summary>The first plain http:// address other machines can reach, or null.</summary>
    public Uri? PlainHttpOnLan() => ParseUrls().FirstOrDefault(u => u.Scheme == "http" && IsReachable(u));

    /// <summary>The addresses of <see cref="Urls"/>; a malformed entry throws <see cref="FormatException"/>.</summary>
    public IReadOnlyList<Uri> ParseUrls() => [.. Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];

    /// <summary>True when other machines can reach the site (an address that is not loopback, or a wildcard).</summary>
    public static bool IsReachable(Uri url) =>
        !(url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

    private static Uri Parse(string text) =>
        Uri.TryCreate(text.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var url)
        && url.Scheme is "http" or "https" && url.AbsolutePath == "/" && !url.IsDefaultPort
            ? url
            : throw new FormatException($"'{text}' is not an http:// or https:// address with a port and no path");
}

public enum ScreenNameStyle
{
    Full,
    Surname,
    None,
}

/// <summary>
/// Checks the section, and refuses a site other machines can reach while no keeper account exists: an open page
/// without a login would let anyone on the LAN make the first account or open the door.
/// </summary>
public sealed class KeeperSiteOptionsValidator(KeeperAccounts accounts) : IValidateOptions<KeeperSiteOptions>
{
    public ValidateOptionsResult Validate(string? name, KeeperSiteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Range("SessionMinutes", options.SessionMinutes, 5, 7 * 24 * 60);
        Range("LoginAttempts", options.LoginAttempts, 1, 100);
        Range("LockoutMinutes", options.LockoutMinutes, 1, 24 * 60);
        Range("LoginRequestsPerMinute", options.LoginRequestsPerMinute, 5, 1000);
        Range("EnrolFrames", options.EnrolFrames, 1, 20);
        Range("CaptureTimeoutSeconds", options.CaptureTimeoutSeconds, 3, 120);
        Range("MaxPhotos", options.MaxPhotos, 1, 20);
        Range("MaxPhotoMegabytes", options.MaxPhotoMegabytes, 1, 100);
        Range("MaxPhotoMegapixels", options.MaxPhotoMegapixels, 1, 200);
        if (string.IsNullOrWhiteSpace(options.StationName) || options.StationName.Length > 40)
        {
            failures.Add("KeeperSite:StationName must be 1-40 characters");
        }

        try
        {
            var urls = options.ParseUrls();
            if (urls.Count == 0)
            {
                failures.Add("KeeperSite:Urls names no address");
            }

            var certificate = options.CertificatePath ?? Path.Combine(Path.GetDirectoryName(accounts.Path)!, KeeperSiteOptions.CertificateFileName);
            if (urls.Any(u => u.Scheme == "https") && !File.Exists(certificate))
            {
                failures.Add($"KeeperSite:Urls has an https:// address but the certificate {certificate} does not exist: make it with 'station-edge keeper cert'");
            }

            var reachable = urls.FirstOrDefault(KeeperSiteOptions.IsReachable);
            if (reachable is not null && accounts.List().Count == 0)
            {
                failures.Add($"KeeperSite:Urls binds {reachable.Host}, which other machines can reach, and there is no keeper account yet "
                    + $"({accounts.Path}): make one first with 'station-edge keeper add --name NAME', or bind 127.0.0.1");
            }

            if (options.PlainHttpOnLan() is { } plain && !options.AllowPlainHttpOnLan)
            {
                failures.Add($"KeeperSite:Urls has {plain}, which other machines can reach, over plain http: passwords and the login cookie would cross "
                    + $"the Wi-Fi in clear. Use https://{plain.Host}:{plain.Port}/ with the certificate 'station-edge keeper cert' makes, "
                    + "or set KeeperSite:AllowPlainHttpOnLan=true to accept the risk");
            }
        }
        catch (FormatException e)
        {
            failures.Add($"KeeperSite:Urls: {e.Message}");
        }

        try
        {
            options.ParseScreenAddresses();
        }
        catch (FormatException e)
        {
            failures.Add($"KeeperSite:ScreenAddresses: {e.Message}");
        }
        catch (KeeperAccountException e)
        {
            failures.Add($"KeeperSite: {e.Message}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Range(string key, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                failures.Add($"KeeperSite:{key} must be between {min} and {max} (was {value})");
            }
        }
    }
}
