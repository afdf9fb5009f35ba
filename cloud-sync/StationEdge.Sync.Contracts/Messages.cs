namespace StationEdge.Sync.Contracts;

// Station → county. Every queued item has the station's outbox sequence number `seq` (monotonic, never reused) and a
// UUIDv7 `id`. A batch carries `floor_seq`: every item below it was acknowledged or never existed, so the hub may
// count the station's contiguous progress from there.

/// <summary><c>stations/{id}/visits</c>: up to a batch of visits, in seq order.</summary>
public sealed record VisitBatch(string Schema, string StationId, long FloorSeq, DateTimeOffset SentAt, IReadOnlyList<VisitRecord> Visits);

/// <summary>
/// One visit as the county stores it. <see cref="VisitSeq"/> is the visit's own number in the station's visit log;
/// <see cref="Seq"/> its place in the outbox. Scores are the evidence a county reviews a refusal or a false accept by.
/// </summary>
public sealed record VisitRecord(long Seq, Guid Id, long VisitSeq, DateTimeOffset Time, string Decision, string Reason, string Method)
{
    public string? WorkerId { get; init; }

    public string? WorkerName { get; init; }

    public float? Score { get; init; }

    public float? Margin { get; init; }

    public float? Liveness { get; init; }

    /// <summary>The station's calibrated threshold when it decided.</summary>
    public float? Threshold { get; init; }

    public int? GallerySize { get; init; }

    public string? PassId { get; init; }

    /// <summary>Who asked, for a remote unlock or a keeper's opening.</summary>
    public string? By { get; init; }
}

/// <summary><c>stations/{id}/events</c>: door events and alarms, roster notices, command results.</summary>
public sealed record EventBatch(string Schema, string StationId, long FloorSeq, DateTimeOffset SentAt, IReadOnlyList<StationEvent> Events);

public sealed record StationEvent(long Seq, Guid Id, DateTimeOffset Time, string Type)
{
    public string? Details { get; init; }

    /// <summary>For a worker notice (<see cref="EventTypes.WorkerEnrolled"/> …): the worker as the station holds them.</summary>
    public WorkerRecord? Worker { get; init; }

    public string? WorkerId { get; init; }

    public string? CommandId { get; init; }
}

/// <summary>Event types beside the door's own (forced, held_open, relay_stuck, camera_lost …).</summary>
public static class EventTypes
{
    public const string WorkerEnrolled = "worker_enrolled";
    public const string WorkerUpdated = "worker_updated";
    public const string WorkerSuspended = "worker_suspended";
    public const string WorkerResumed = "worker_resumed";
    public const string WorkerDeleted = "worker_deleted";
    public const string RosterRejected = "roster_rejected";
    public const string CommandRefused = "command_refused";
    public const string CommandDone = "command_done";
    public const string ForeignEmbedder = "foreign_embedder";

    /// <summary>A roaming worker kept in the roster whose templates the station cannot open (no template key, another key).</summary>
    public const string TemplatesNotOpened = "templates_not_opened";

    public static bool IsWorkerNotice(string type) =>
        type is WorkerEnrolled or WorkerUpdated or WorkerSuspended or WorkerResumed or WorkerDeleted;
}

/// <summary>
/// A worker on the link. Templates travel only when <see cref="ConsentScope"/> is <c>county</c> (the rider agreed to
/// roam), each sealed under the county's template key; face images never travel.
/// </summary>
public sealed record WorkerRecord(string Id, string Name, string Status, string HomeStation, DateTimeOffset? ConsentAt, string? ConsentVersion, string ConsentScope)
{
    public string? Phone { get; init; }

    public string? Employer { get; init; }

    public string? MemberNumber { get; init; }

    public DateOnly? ValidUntil { get; init; }

    public IReadOnlyList<SealedTemplate>? Templates { get; init; }
}

/// <summary>One face template sealed with AES-256-GCM under the county's template key (see <see cref="TemplateSeal"/>).</summary>
public sealed record SealedTemplate(Guid Id, string Embedder, int Dimensions, byte[] Nonce, byte[] Ciphertext, byte[] Tag);

/// <summary><c>stations/{id}/status</c>, retained; the last will is the same with <c>state = offline</c>.</summary>
public sealed record StationStatus(string Schema, string StationId, string State, DateTimeOffset At)
{
    public const string Online = "online";
    public const string Offline = "offline";

    public string? SoftwareVersion { get; init; }

    /// <summary>Model file name → sha256.</summary>
    public IReadOnlyDictionary<string, string>? Models { get; init; }

    public double? CameraFps { get; init; }

    public long? OutboxDepth { get; init; }

    public double? OldestUnsentVisitSeconds { get; init; }

    public long? FreeDiskBytes { get; init; }

    public long? UptimeSeconds { get; init; }

    public IReadOnlyList<string>? OpenAlarms { get; init; }

    public long? RosterVersion { get; init; }

    public int? GallerySize { get; init; }
}

// County → station.

/// <summary>
/// <c>stations/{id}/acks</c>: everything up to <see cref="AckedSeq"/> is committed at the county, and so are the
/// ranges in <see cref="Committed"/> above it (a batch committed while an earlier one is still in flight).
/// </summary>
public sealed record Ack(string Schema, string StationId, long AckedSeq)
{
    public IReadOnlyList<SeqRange>? Committed { get; init; }
}

public sealed record SeqRange(long First, long Last)
{
    /// <summary>Sorted seqs as ranges of consecutive numbers.</summary>
    public static IReadOnlyList<SeqRange> Runs(IEnumerable<long> seqs)
    {
        var runs = new List<SeqRange>();
        foreach (var s in seqs.Order())
        {
            if (runs.Count > 0 && s <= runs[^1].Last + 1)
            {
                runs[^1] = runs[^1] with { Last = Math.Max(runs[^1].Last, s) };
            }
            else
            {
                runs.Add(new SeqRange(s, s));
            }
        }

        return runs;
    }
}

/// <summary><c>stations/{id}/resync</c>: send me every roster delta after <see cref="FromVersion"/>.</summary>
public sealed record ResyncRequest(string Schema, string StationId, long FromVersion);

/// <summary>A roster change, carried inside a <see cref="SignedEnvelope"/> on the roster topics.</summary>
public sealed record RosterDelta(string Schema, string County, long Version, string Op, string WorkerId, DateTimeOffset IssuedAt)
{
    public const string Add = "add";
    public const string Update = "update";
    public const string Suspend = "suspend";
    public const string Resume = "resume";
    public const string Delete = "delete";

    /// <summary>The worker after the change; null for a deletion.</summary>
    public WorkerRecord? Worker { get; init; }
}

/// <summary>Retained on <c>counties/{c}/roster/head</c> inside a signed envelope: the county's latest version.</summary>
public sealed record RosterHead(string Schema, string County, long Version, DateTimeOffset At);

/// <summary>A command on <c>stations/{id}/commands</c>, inside a signed envelope; refused once expired or replayed.</summary>
public sealed record StationCommand(string Schema, Guid Id, string StationId, string Type, string By, string Reason, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string Nonce)
{
    public const string Unlock = "unlock";
    public const string ResyncRoster = "resync";
    public const string RotateKeys = "rotate_keys";

    /// <summary>
    /// With <see cref="RotateKeys"/>: the county's next signing key (a P-256 public key in PEM). The station trusts it
    /// beside the current one until something signed by it arrives, then only it.
    /// </summary>
    public string? NextPublicKey { get; init; }

    /// <summary>The longest a command may live: a remote unlock is for someone standing at the door now.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(15);
}
