using StationEdge.Store;

namespace StationEdge.KeeperSite.Web;

/// <summary>The worker's details as the enrolment and edit forms post them (input names Name, Phone, …); blanks are absent.</summary>
public sealed class WorkerForm
{
    public string? Name { get; set; }

    public string? Phone { get; set; }

    public string? Employer { get; set; }

    public string? MemberNumber { get; set; }

    public DateOnly? ValidUntil { get; set; }

    /// <summary>The consent choice as posted: <c>county</c>, <c>station</c>, or null when the form did not carry it.</summary>
    public string? ConsentScope { get; set; }

    public static WorkerForm From(Worker worker) => new()
    {
        Name = worker.Name,
        Phone = worker.Phone,
        Employer = worker.Employer,
        MemberNumber = worker.MemberNumber,
        ValidUntil = worker.ValidUntil,
        ConsentScope = worker.ConsentScope == Store.ConsentScope.County ? "county" : "station",
    };

    /// <summary>The scope chosen: the county only when the keeper chose it, this station otherwise; null when not posted.</summary>
    public Store.ConsentScope? Scope() => ConsentScope switch
    {
        null => null,
        "county" => Store.ConsentScope.County,
        _ => Store.ConsentScope.Station,
    };

    public WorkerProfile Profile() => new()
    {
        Name = Blank(Name) ?? "",
        Phone = Blank(Phone),
        Employer = Blank(Employer),
        MemberNumber = Blank(MemberNumber),
        ValidUntil = ValidUntil,
    };

    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>A worker named in a link, with their template count; null for an id that is no worker (or no id at all).</summary>
public static class WorkerLookup
{
    public static async Task<(Worker? Worker, int Templates)> FindAsync(StationStore store, string? id, CancellationToken ct)
    {
        try
        {
            var worker = id is null ? null : await store.GetWorkerAsync(id, ct);
            return (worker, worker is null ? 0 : (await store.ListTemplatesAsync(worker.Id, ct)).Count);
        }
        catch (StoreException e) when (e.IsBadInput)
        {
            return (null, 0);
        }
    }
}
