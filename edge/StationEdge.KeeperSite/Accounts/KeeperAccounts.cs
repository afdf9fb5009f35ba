using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Identity;

namespace StationEdge.KeeperSite.Accounts;

[JsonConverter(typeof(JsonStringEnumConverter<KeeperRole>))]
public enum KeeperRole
{
    /// <summary>Enrols, suspends and resumes workers, opens the door, flags visits, issues passes.</summary>
    [JsonStringEnumMemberName("keeper")]
    Keeper,

    /// <summary>A keeper who may also delete workers and manage keeper accounts.</summary>
    [JsonStringEnumMemberName("admin")]
    Admin,
}

/// <summary>
/// A keeper account. <see cref="Stamp"/> changes with the password, so sessions made with an old password end.
/// </summary>
public sealed record KeeperAccount(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("role")] KeeperRole Role,
    [property: JsonPropertyName("password_hash")] string PasswordHash,
    [property: JsonPropertyName("stamp")] string Stamp,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

/// <summary>A keeper account change that cannot be made; the message is one line for a person.</summary>
public sealed class KeeperAccountException(string message) : Exception(message)
{
    public KeeperAccountException()
        : this("keeper account error")
    {
    }

    public KeeperAccountException(string message, Exception inner)
        : this(message + ": " + inner.Message)
    {
    }
}

/// <summary>
/// The keepers of a station: <c>keepers.json</c> in the data folder, mode 0600, passwords hashed with ASP.NET Core
/// Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512, 100,000 iterations, random salt). There is no
/// default account: the first is made with <c>station-edge keeper add</c>. The command and the daemon may both write,
/// so every change takes an exclusive lock on <c>keepers.lock</c>, reads the file afresh, and replaces it whole
/// (write a temporary file, then rename); readers pick up a change by the file's time and size.
/// </summary>
public sealed class KeeperAccounts
{
    public const string FileName = "keepers.json";
    public const int MinPasswordLength = 8;
    public const int MaxNameLength = 32;

    private static readonly PasswordHasher<KeeperAccount> Hasher = new();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly string _lockPath;
    private readonly Lock _gate = new();
    private (DateTime Time, long Length) _seen;
    private IReadOnlyList<KeeperAccount> _accounts = [];

    public KeeperAccounts(string dataFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataFolder);
        Path = System.IO.Path.Combine(System.IO.Path.GetFullPath(dataFolder), FileName);
        _lockPath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "keepers.lock");
    }

    public string Path { get; }

    /// <summary>Every account, as the file holds them now.</summary>
    public IReadOnlyList<KeeperAccount> List()
    {
        var file = new FileInfo(Path);
        var seen = file.Exists ? (file.LastWriteTimeUtc, file.Length) : (DateTime.MinValue, -1L);
        lock (_gate)
        {
            if (seen != _seen)
            {
                _accounts = Read();
                _seen = seen;
            }

            return _accounts;
        }
    }

    public KeeperAccount? Find(string name) => List().FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal));

    /// <summary>The account when <paramref name="password"/> is its password, else null (also when there is no such keeper).</summary>
    public KeeperAccount? Check(string name, string password)
    {
        var account = Find(name);
        if (account is null)
        {
            // Hash anyway: an unknown name takes as long as a wrong password.
            Hasher.HashPassword(null!, password);
            return null;
        }

        return Hasher.VerifyHashedPassword(account, account.PasswordHash, password) == PasswordVerificationResult.Failed ? null : account;
    }

    /// <summary>Adds a keeper; the first account of a station is always an administrator.</summary>
    public KeeperAccount Add(string name, string password, KeeperRole role, TimeProvider? time = null)
    {
        CheckName(name);
        CheckPassword(password);
        return Change<KeeperAccount>(accounts =>
        {
            if (accounts.Any(a => string.Equals(a.Name, name, StringComparison.Ordinal)))
            {
                throw new KeeperAccountException($"a keeper named '{name}' exists already");
            }

            var account = new KeeperAccount(name, accounts.Count == 0 ? KeeperRole.Admin : role, "", NewStamp(), (time ?? TimeProvider.System).GetUtcNow());
            account = account with { PasswordHash = Hasher.HashPassword(account, password) };
            return ((IReadOnlyList<KeeperAccount>)[.. accounts, account], account);
        });
    }

    public KeeperAccount SetPassword(string name, string password)
    {
        CheckPassword(password);
        return Change<KeeperAccount>(accounts =>
        {
            var account = accounts.FirstOrDefault(a => a.Name == name) ?? throw new KeeperAccountException($"there is no keeper named '{name}'");
            var changed = account with { PasswordHash = Hasher.HashPassword(account, password), Stamp = NewStamp() };
            return ((IReadOnlyList<KeeperAccount>)[.. accounts.Select(a => a.Name == name ? changed : a)], changed);
        });
    }

    /// <summary>Removes a keeper; the last administrator stays.</summary>
    public void Remove(string name) => Change<KeeperAccount>(accounts =>
    {
        var account = accounts.FirstOrDefault(a => a.Name == name) ?? throw new KeeperAccountException($"there is no keeper named '{name}'");
        if (account.Role == KeeperRole.Admin && accounts.Count(a => a.Role == KeeperRole.Admin) == 1)
        {
            throw new KeeperAccountException($"'{name}' is the last administrator; make another one first");
        }

        return ((IReadOnlyList<KeeperAccount>)[.. accounts.Where(a => a.Name != name)], account);
    });

    /// <summary>1–32 characters, letters of any script, digits, spaces, '.', '_' or '-'; no leading or trailing space.</summary>
    public static void CheckName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Trim() != name
            || !name.All(c => char.IsLetterOrDigit(c) || c is ' ' or '.' or '_' or '-'))
        {
            throw new KeeperAccountException(
                $"keeper name '{name}' is not valid: use 1-{MaxNameLength} letters, digits, spaces, '.', '_' or '-'");
        }
    }

    public static void CheckPassword(string? password)
    {
        if (password is null || password.Length < MinPasswordLength)
        {
            throw new KeeperAccountException($"the password must have at least {MinPasswordLength} characters");
        }
    }

    private T Change<T>(Func<IReadOnlyList<KeeperAccount>, (IReadOnlyList<KeeperAccount> Accounts, T Result)> change)
    {
        try
        {
            using var exclusive = new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            var (accounts, result) = change(Read());
            var temporary = Path + ".new";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var file = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(file, new KeeperFile(accounts), Json);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
            lock (_gate)
            {
                _seen = default;
            }

            return result;
        }
        catch (IOException e)
        {
            throw new KeeperAccountException($"{Path} cannot be written: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new KeeperAccountException($"{Path} cannot be written: {e.Message}");
        }
    }

    private List<KeeperAccount> Read()
    {
        try
        {
            if (!File.Exists(Path))
            {
                return [];
            }

            using var file = File.OpenRead(Path);
            return JsonSerializer.Deserialize<KeeperFile>(file)?.Keepers?.ToList()
                ?? throw new KeeperAccountException($"{Path} holds no keeper list");
        }
        catch (JsonException e)
        {
            throw new KeeperAccountException($"{Path} is not a keeper file: {e.Message}");
        }
        catch (IOException e)
        {
            throw new KeeperAccountException($"{Path} cannot be read: {e.Message}");
        }
    }

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    private sealed record KeeperFile([property: JsonPropertyName("keepers")] IReadOnlyList<KeeperAccount> Keepers);
}
