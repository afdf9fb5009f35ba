using System.Text.Json.Serialization;

namespace StationEdge.Store;

[JsonConverter(typeof(JsonStringEnumConverter<WorkerStatus>))]
public enum WorkerStatus
{
    [JsonStringEnumMemberName("active")]
    Active,

    [JsonStringEnumMemberName("suspended")]
    Suspended,
}

/// <summary>
/// Where the worker agreed their face may be recognised: <see cref="Station"/> (this station only, the default) or
/// <see cref="County"/> (every station of the county: their templates roam, sealed, through the county's hub).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConsentScope>))]
public enum ConsentScope
{
    [JsonStringEnumMemberName("station")]
    Station,

    [JsonStringEnumMemberName("county")]
    County,
}

/// <summary>Who did a keeper action and from where (an IP address on the keeper site, <c>cli</c> on the command line).</summary>
public sealed record KeeperContext(string Keeper, string? Address = null);

/// <summary>A worker to enroll. <see cref="ConsentAt"/> unset means now.</summary>
public sealed record NewWorker
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public string? Phone { get; init; }

    /// <summary>Employer or platform (美团, 饿了么, a courier company, the sanitation department …).</summary>
    public string? Employer { get; init; }

    /// <summary>The union member number (工会会员号), when the worker has one.</summary>
    public string? MemberNumber { get; init; }

    /// <summary>The last day the worker may enter (inclusive, station-local date); null: no end.</summary>
    public DateOnly? ValidUntil { get; init; }

    /// <summary>The version of the consent text the worker agreed to.</summary>
    public required string ConsentVersion { get; init; }

    public DateTimeOffset? ConsentAt { get; init; }

    /// <summary>Where the worker may be recognised; this station only unless they agreed to the county.</summary>
    public ConsentScope ConsentScope { get; init; } = ConsentScope.Station;

    /// <summary>The station the worker registered at; null: this one.</summary>
    public string? HomeStation { get; init; }
}

/// <summary>A stored worker.</summary>
public sealed record Worker
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("phone")]
    public string? Phone { get; init; }

    [JsonPropertyName("employer")]
    public string? Employer { get; init; }

    [JsonPropertyName("member_number")]
    public string? MemberNumber { get; init; }

    [JsonPropertyName("status")]
    public required WorkerStatus Status { get; init; }

    [JsonPropertyName("valid_until")]
    public DateOnly? ValidUntil { get; init; }

    [JsonPropertyName("consent_at")]
    public required DateTimeOffset ConsentAt { get; init; }

    [JsonPropertyName("consent_version")]
    public required string ConsentVersion { get; init; }

    [JsonPropertyName("consent_scope")]
    public ConsentScope ConsentScope { get; init; } = ConsentScope.Station;

    /// <summary>When the current scope was recorded.</summary>
    [JsonPropertyName("consent_scope_at")]
    public DateTimeOffset ConsentScopeAt { get; init; }

    /// <summary>Who recorded the current scope (a keeper, or <c>county</c> for a worker from the county's roster).</summary>
    [JsonPropertyName("consent_scope_by")]
    public string ConsentScopeBy { get; init; } = "";

    [JsonPropertyName("enrolled_by")]
    public required string EnrolledBy { get; init; }

    [JsonPropertyName("home_station")]
    public string? HomeStation { get; init; }

    [JsonPropertyName("created_at")]
    public required DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("updated_at")]
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>
/// What the keeper may change about a worker (the keeper site's edit form): the whole set, each field as it should
/// be afterwards; null clears an optional field. Start from <see cref="From"/> and change what the keeper changed.
/// </summary>
public sealed record WorkerProfile
{
    public required string Name { get; init; }

    public string? Phone { get; init; }

    /// <summary>Employer or platform.</summary>
    public string? Employer { get; init; }

    /// <summary>The union member number.</summary>
    public string? MemberNumber { get; init; }

    /// <summary>The last day the worker may enter (inclusive); null: no end.</summary>
    public DateOnly? ValidUntil { get; init; }

    public static WorkerProfile From(Worker worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return new WorkerProfile
        {
            Name = worker.Name,
            Phone = worker.Phone,
            Employer = worker.Employer,
            MemberNumber = worker.MemberNumber,
            ValidUntil = worker.ValidUntil,
        };
    }
}

/// <summary>The result of an enrollment: the worker and the ids of the templates stored for them.</summary>
public sealed record Enrollment(Worker Worker, IReadOnlyList<Guid> TemplateIds);

/// <summary>What deleting a worker removed; their visit rows stay, keeping only the worker id.</summary>
public sealed record WorkerDeletion(string WorkerId, int TemplatesRemoved, int CropsRemoved);
