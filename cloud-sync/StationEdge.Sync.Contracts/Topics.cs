namespace StationEdge.Sync.Contracts;

/// <summary>The link's topics (v1). A station writes only under <c>stations/{itsId}/</c>; the hub writes acks, commands and the roster.</summary>
public static class Topics
{
    public static string Visits(string station) => $"stations/{Ids.Station(station)}/visits";

    public static string Events(string station) => $"stations/{Ids.Station(station)}/events";

    /// <summary>Retained; the station's last will sets it offline.</summary>
    public static string Status(string station) => $"stations/{Ids.Station(station)}/status";

    /// <summary>A station asks for the roster deltas after its version (after a gap, or on connect).</summary>
    public static string Resync(string station) => $"stations/{Ids.Station(station)}/resync";

    public static string Acks(string station) => $"stations/{Ids.Station(station)}/acks";

    public static string Commands(string station) => $"stations/{Ids.Station(station)}/commands";

    /// <summary>Deltas a resync answers with, to one station only (others need not see a replay).</summary>
    public static string StationRoster(string station) => $"stations/{Ids.Station(station)}/roster";

    /// <summary>Live deltas to every station of the county.</summary>
    public static string CountyRoster(string county) => $"counties/{Ids.County(county)}/roster";

    /// <summary>Retained: the county's latest roster version, so a station that was away sees at once that it is behind.</summary>
    public static string RosterHead(string county) => $"counties/{Ids.County(county)}/roster/head";

    /// <summary>The hub's shared subscription for one station-to-hub kind (visits, events, resync): hub processes split the load.</summary>
    public static string HubShared(string kind) => $"$share/hub/stations/+/{kind}";

    /// <summary>Status is retained and read by every hub process (not shared), so each keeps the registry current.</summary>
    public const string AllStatus = "stations/+/status";

    /// <summary>The station id and the last level of <c>stations/{id}/{kind}</c>, or false for any other topic.</summary>
    public static bool TryParseStation(string topic, out string station, out string kind)
    {
        station = kind = "";
        var parts = topic.Split('/');
        if (parts.Length != 3 || parts[0] != "stations" || !Ids.IsValid(parts[1]))
        {
            return false;
        }

        (station, kind) = (parts[1], parts[2]);
        return true;
    }
}

/// <summary>Station, county and worker ids: 1–64 of A–Z, a–z, 0–9, '.', '_', '-', so an id is always a single safe topic level.</summary>
public static class Ids
{
    public static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    public static string Station(string id) => Check(id, "station id");

    public static string County(string id) => Check(id, "county id");

    private static string Check(string id, string what) => IsValid(id)
        ? id
        : throw new ArgumentException($"{what} '{id}' must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
}
