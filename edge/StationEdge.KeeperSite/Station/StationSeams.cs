using StationEdge.Camera;
using StationEdge.Door.Control;
using StationEdge.Store;
using DoorEvent = StationEdge.Door.Control.DoorEvent;

namespace StationEdge.KeeperSite.Station;

/// <summary>
/// The station's decisions as they are stored: each visit once, in sequence order, from any source (the access loop,
/// the pass reader, a keeper's unlock, a command beside the daemon). The default reads the store
/// (<see cref="StoreVisitFeed"/>); the access loop may call <see cref="Nudge"/> after it stores a visit so pages see it
/// at once rather than within the poll interval.
/// </summary>
public interface IVisitFeed
{
    /// <summary>Visits with a sequence number above <paramref name="afterSeq"/>, then each new one as it is stored, until cancelled.</summary>
    IAsyncEnumerable<Visit> ReadAsync(long afterSeq, CancellationToken ct);

    /// <summary>A visit was just stored: look now.</summary>
    void Nudge();
}

/// <summary>The door as the keeper sees it: state with alarms, recent events, and the manual open.</summary>
public interface IKeeperDoor
{
    /// <summary>Null when the door service is not running.</summary>
    DoorStatus? Status { get; }

    /// <summary>The latest door events since the daemon started, newest first.</summary>
    IReadOnlyList<DoorEvent> RecentEvents { get; }

    /// <summary>Opens for one pulse as <c>keeper:NAME</c>; false when the door refused (cap lock-out, fault, not running).</summary>
    bool OpenByKeeper(string keeperName);
}

/// <summary>
/// Where a keeper's opening becomes a visit (<c>method = keeper</c>). The daemon hands it to its one recorder (kept in
/// memory while the data folder is full, with the visit's sync message); the site alone writes it to the store
/// (<see cref="StoreKeeperVisits"/>).
/// </summary>
public interface IKeeperVisits
{
    Task RecordOpeningAsync(VisitDraft draft, CancellationToken ct);
}

/// <summary>The site without the daemon: the opening's visit straight into the store, and the pages nudged.</summary>
public sealed class StoreKeeperVisits(StationStore store, IVisitFeed feed) : IKeeperVisits
{
    public async Task RecordOpeningAsync(VisitDraft draft, CancellationToken ct)
    {
        await store.RecordVisitAsync(draft, ct: ct);
        feed.Nudge();
    }
}

/// <summary>One preview picture: a JPEG with the face box drawn, and the quality code of the main face (null: good).</summary>
public sealed record PreviewFrame(long Sequence, byte[] Jpeg, string? Problem, bool HasFace, DateTimeOffset At);

/// <summary>
/// The camera as the keeper site shows it: JPEG pictures with the face box and guidance, made from frames the access
/// loop already has (<see cref="FrameSource.WaitForNewerAsync"/>) at a few a second, only while someone watches.
/// </summary>
public interface ICameraPreview
{
    CameraHealth? Health { get; }

    /// <summary>The next picture after <paramref name="afterSequence"/>; null when the camera has none to give.</summary>
    Task<PreviewFrame?> NextAsync(long afterSequence, CancellationToken ct);

    /// <summary>The newest picture made, if it is recent.</summary>
    PreviewFrame? Latest { get; }
}

/// <summary>The figures of the device page.</summary>
public sealed record StationHealthReport(
    CameraHealth? Camera,
    IReadOnlyList<(string File, string Sha256)> Models,
    int OutboxDepth,
    DateTimeOffset? LastSync,
    long DiskFreeBytes,
    long DiskTotalBytes,
    TimeSpan Uptime,
    string Version,
    string DataPath,
    int Workers);

/// <summary>The models the door's access loop loaded, each with the sha256 it was checked against.</summary>
public interface IDoorModels
{
    IReadOnlyList<(string File, string Sha256)> Loaded { get; }
}

public interface IStationHealth
{
    Task<StationHealthReport> ReadAsync(CancellationToken ct);
}

/// <summary>A face ready to enrol: its embedding and quality, and a JPEG of the aligned face for the keeper to see.</summary>
public sealed record EnrolFace(float[] Embedding, TemplateQuality Quality, byte[] Crop, byte[] ThumbnailJpeg);

/// <summary>The faces found in one photo (several: the keeper chooses), or the problem with it.</summary>
public sealed record PhotoFaces(IReadOnlyList<EnrolFace> Faces, string? Problem);

/// <summary>An enrolled worker whose face is close to the one being enrolled.</summary>
public sealed record DuplicateMatch(Worker Worker, float Score);

/// <summary>
/// Enrolment: frames from the door camera or photos from the keeper's phone → faces through the quality gate →
/// the duplicate check against everyone enrolled → templates stored with the worker and the consent version.
/// </summary>
public interface IEnrolment
{
    /// <summary>Takes <paramref name="count"/> good frames of the main face (at least 0.2 s apart); fails with the last guidance after <paramref name="timeout"/>.</summary>
    Task<(IReadOnlyList<EnrolFace> Faces, string? Problem)> CaptureAsync(int count, TimeSpan timeout, CancellationToken ct);

    /// <summary>
    /// The usable faces in a photo (EXIF orientation applied), left to right, or why there are none (a quality code, or
    /// <c>too_many_pixels</c> above <paramref name="maxPixels"/>). A photo that is no image throws the decoder's one-line exception.
    /// </summary>
    Task<PhotoFaces> FacesInPhotoAsync(byte[] photo, string name, long maxPixels, CancellationToken ct);

    /// <summary>The enrolled worker most like any of <paramref name="faces"/> at the door's threshold, or null.</summary>
    Task<DuplicateMatch?> FindDuplicateAsync(IReadOnlyList<EnrolFace> faces, CancellationToken ct);

    Task<Enrollment> StoreAsync(NewWorker worker, IReadOnlyList<EnrolFace> faces, KeeperContext by, CancellationToken ct);
}
