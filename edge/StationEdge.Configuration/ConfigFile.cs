using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace StationEdge.Configuration;

/// <summary>A config file that cannot be used; the message is one line naming the file and what is wrong.</summary>
public sealed class ConfigFileException(string message) : Exception(message);

/// <summary>
/// Reads a station config file (appsettings.json shape) into memory before anything parses it: a FIFO or a device
/// named as the config is refused without being opened, and the size is bounded, so no config can hang start-up or
/// make it ignore SIGTERM.
/// </summary>
public static class ConfigFile
{
    public const int MaxBytes = 1 << 20;

    /// <summary>Adds the file's JSON to <paramref name="builder"/>.</summary>
    /// <exception cref="ConfigFileException">Missing, not a regular file, empty, too large, unreadable or not JSON.</exception>
    public static IConfigurationBuilder AddStationConfigFile(this IConfigurationBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var bytes = Read(path);
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigFileException($"{path}: the config must be one JSON object ({{\"Door\": {{…}}, …}}), not {document.RootElement.ValueKind}");
            }
        }
        catch (JsonException failure)
        {
            throw new ConfigFileException($"{path}: not valid JSON ({failure.Message.ReplaceLineEndings(" ")})");
        }

        return builder.AddJsonStream(new MemoryStream(bytes));
    }

    /// <summary>The file's bytes.</summary>
    /// <exception cref="ConfigFileException">Missing, not a regular file, empty, too large or unreadable.</exception>
    public static byte[] Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var kind = FileInspector.KindOf(path);
        if (kind == FileKind.Unknown && !File.Exists(path))
        {
            throw new ConfigFileException($"{path}: file not found");
        }

        if (FileInspector.NotRegularReason(kind) is { } notRegular)
        {
            throw new ConfigFileException($"{path}: {notRegular}");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.Length == 0)
            {
                throw new ConfigFileException($"{path}: the file is empty");
            }

            if (stream.Length > MaxBytes)
            {
                throw new ConfigFileException($"{path}: {stream.Length} bytes is too large for a config file (at most {MaxBytes})");
            }

            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFileException($"{path}: cannot be read ({failure.Message})");
        }
    }
}
