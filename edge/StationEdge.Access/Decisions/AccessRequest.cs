namespace StationEdge.Access;

/// <summary>How someone came in: the visit's <c>method</c>.</summary>
public enum AccessMethod
{
    Face,
    Pass,
    Keeper,
    Remote,
}

/// <summary>
/// A request to open the door other than by a face, for <see cref="AccessRule.Decide(AccessRequest, StationEdge.Store.Worker?, DateTimeOffset, AccessPolicy)"/>:
/// the method, who asked (the pass id, the keeper's login, the county operator), and the worker it is for, when any.
/// </summary>
public sealed record AccessRequest(AccessMethod Method, string By)
{
    /// <summary>The worker the door opens for (a worker's pass; a remote unlock or keeper opening that names one); null for a visitor.</summary>
    public string? WorkerId { get; init; }
}

public static class AccessMethodCodes
{
    /// <summary>The method as visits and events spell it: <c>face</c>, <c>pass</c>, <c>keeper</c>, <c>remote</c>.</summary>
    public static string Code(this AccessMethod method) => method switch
    {
        AccessMethod.Pass => "pass",
        AccessMethod.Keeper => "keeper",
        AccessMethod.Remote => "remote",
        _ => "face",
    };
}
