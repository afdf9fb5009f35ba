using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StationEdge.Vision.Models;

/// <summary>
/// models/models.lock.json: every artifact StationEdge runs on, pinned by npm package version and sha256.
/// The same file is copied next to the installed models so a device can check what it runs, and compiled into
/// StationEdge.Vision (<see cref="BuiltInBytes"/>), because a lock read from the models folder cannot vouch for itself.
/// </summary>
public sealed record ModelLock(
    int Schema,
    IReadOnlyList<LockedPackage> Packages,
    IReadOnlyList<LockedArtifact> Artifacts)
{
    public const string FileName = "models.lock.json";

    private const string ResourceName = "StationEdge.Vision.Models." + FileName;

    private static readonly Lazy<byte[]> BuiltIn = new(ReadBuiltIn);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static ModelLock Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelIntegrityException($"{path}: cannot read the model lock ({e.Message})", e);
        }

        return Parse(text, path);
    }

    public static ModelLock Parse(string json, string source)
    {
        ModelLock? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<ModelLock>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ModelIntegrityException($"{source}: not a valid model lock ({e.Message})", e);
        }

        if (parsed is null || parsed.Schema != 1 || parsed.Packages is null || parsed.Artifacts is null)
        {
            throw new ModelIntegrityException($"{source}: not a valid model lock (expected schema 1 with packages and artifacts)");
        }

        foreach (var a in parsed.Artifacts)
        {
            if (parsed.Packages.All(p => p.Name != a.Package))
            {
                throw new ModelIntegrityException($"{source}: artifact '{a.Id}' names package '{a.Package}', which the lock does not pin");
            }

            CheckStaysInside(source, a.Id, a.File);
            if (a.Convert is { } convert)
            {
                CheckStaysInside(source, a.Id, convert.To);
            }
        }

        return parsed;
    }

    /// <summary>models/models.lock.json as it was when this StationEdge was built.</summary>
    public static ReadOnlySpan<byte> BuiltInBytes => BuiltIn.Value;

    public static string BuiltInSha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(BuiltIn.Value));

    /// <summary>Artifacts for this machine: those without an architecture and those built for it.</summary>
    public IEnumerable<LockedArtifact> ForArchitecture(Architecture architecture)
    {
        var arch = ArchitectureName(architecture);
        return Artifacts.Where(a => a.Arch is null || a.Arch == arch);
    }

    public LockedArtifact Runtime(string id) =>
        ForArchitecture(RuntimeInformation.ProcessArchitecture).FirstOrDefault(a => a.Id == id)
        ?? throw new ModelIntegrityException(
            $"the model lock has no artifact '{id}' for {ArchitectureName(RuntimeInformation.ProcessArchitecture)}");

    public LockedPackage Package(string name) => Packages.First(p => p.Name == name);

    public static string ArchitectureName(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "x64",
        Architecture.Arm64 => "arm64",
        _ => architecture.ToString().ToLowerInvariant(),
    };

    // Installed files are written and read at <models folder>/<file>: a path that could point elsewhere is refused
    // before anything is written or read. Symbolic links are checked where the files are read (ModelDirectory).
    private static void CheckStaysInside(string source, string id, string? file)
    {
        if (string.IsNullOrWhiteSpace(file) || Path.IsPathRooted(file) || file.Contains('\\', StringComparison.Ordinal)
            || file.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new ModelIntegrityException(
                $"{source}: artifact '{id}' names file '{file}', which is not a plain relative path inside the models folder");
        }
    }

    private static byte[] ReadBuiltIn()
    {
        using var stream = typeof(ModelLock).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"StationEdge.Vision was built without its {ResourceName} resource");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

public sealed record LockedPackage(string Name, string Version, string Tarball, string Sha256, string? License);

public sealed record LockedArtifact(
    string Id,
    string Package,
    string Path,
    string Sha256,
    string File,
    string? Arch,
    ConvertSpec? Convert)
{
    /// <summary>The file the product loads: the converted output when there is one.</summary>
    [JsonIgnore]
    public string RuntimeFile => Convert?.To ?? File;

    [JsonIgnore]
    public string RuntimeSha256 => Convert?.Sha256 ?? Sha256;
}

/// <summary>
/// How an installed file is made from the package's: a TFLite model converted to ONNX (<paramref name="BatchDynamic"/>
/// for a symbolic batch), or, with <paramref name="ZeroSubnormals"/>, an ONNX model whose subnormal float weights are
/// set to zero (same graph, same length; faceplugin's embedder runs 4× faster so). Either way the output is pinned.
/// </summary>
public sealed record ConvertSpec(string To, string Sha256, bool BatchDynamic = false, bool ZeroSubnormals = false);
