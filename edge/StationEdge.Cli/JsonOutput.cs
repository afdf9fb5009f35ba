using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StationEdge.Cli;

/// <summary>`--json`: one document on stdout, snake_case keys, so scripts and the county's tools can read it.</summary>
internal static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // Names are Chinese: 王芳, not \u738B\u82B3 (stdout is UTF-8 and no HTML page).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write<T>(TextWriter output, T document) =>
        output.WriteLine(JsonSerializer.Serialize(document, Options));
}
