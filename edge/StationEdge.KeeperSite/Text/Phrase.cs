using System.Globalization;

namespace StationEdge.KeeperSite.Text;

public enum Language
{
    Chinese,
    English,
}

/// <summary>One thing the site says, in both languages: a phrase cannot exist in one only.</summary>
public sealed record Phrase(string Zh, string En)
{
    public string In(Language language) => language == Language.English ? En : Zh;

    /// <summary>The phrase with <c>{0}</c>, <c>{1}</c> … filled in (invariant formatting: the station's figures look the same in both).</summary>
    public string In(Language language, params object?[] args) => string.Format(CultureInfo.InvariantCulture, In(language), args);
}
