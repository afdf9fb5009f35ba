using Microsoft.Extensions.Options;

namespace StationEdge.CountySite;

/// <summary>The <c>CountySite</c> section of the hub's configuration (unknown keys refused, values checked at start naming the key).</summary>
public sealed class CountySiteOptions
{
    public const string SectionName = "CountySite";

    /// <summary>Where Kestrel listens, separated by ';'.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8090";

    /// <summary>The county's time zone (IANA id): visits are shown and filtered by the county's dates and clock.</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";

    public int LoginAttempts { get; set; } = 5;

    public int LockoutMinutes { get; set; } = 15;

    public int SessionMinutes { get; set; } = 480;

    /// <summary>Visits on one page.</summary>
    public int PageSize { get; set; } = 50;

    /// <summary>
    /// Where the site keeps its data-protection key ring (the keys that seal login and antiforgery cookies), so logins
    /// survive a restart. Default: <c>county-site-keys</c> beside <c>Hub:SigningKeyFile</c>, a directory of the hub's
    /// own user. Made 0700 when missing; refused when others may read it.
    /// </summary>
    public string? KeysDirectory { get; set; }

    public TimeZoneInfo Zone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public IReadOnlyList<Uri> ParseUrls() => [.. Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];

    private static Uri Parse(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.AbsolutePath == "/" && !url.IsDefaultPort
            ? url
            : throw new FormatException($"'{text}' is not an http:// or https:// address with a port and no path");
}

public sealed class CountySiteOptionsValidator : IValidateOptions<CountySiteOptions>
{
    public static CountySiteOptionsValidator Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, CountySiteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Range("LoginAttempts", options.LoginAttempts, 1, 100);
        Range("LockoutMinutes", options.LockoutMinutes, 1, 24 * 60);
        Range("SessionMinutes", options.SessionMinutes, 5, 7 * 24 * 60);
        Range("PageSize", options.PageSize, 5, 1000);
        try
        {
            if (options.ParseUrls().Count == 0)
            {
                failures.Add("CountySite:Urls names no address");
            }
        }
        catch (FormatException e)
        {
            failures.Add($"CountySite:Urls: {e.Message}");
        }

        if (options.KeysDirectory is { } keys && !Path.IsPathFullyQualified(keys))
        {
            failures.Add($"CountySite:KeysDirectory must be an absolute path (was '{keys}')");
        }

        try
        {
            _ = options.Zone();
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            failures.Add($"CountySite:TimeZone '{options.TimeZone}' is not a known time zone (an IANA id such as Asia/Shanghai)");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Range(string key, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                failures.Add($"CountySite:{key} must be between {min} and {max} (was {value})");
            }
        }
    }
}
