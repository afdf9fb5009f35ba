using StationEdge.Camera;
using StationEdge.Store;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Recognition;

namespace StationEdge.KeeperSite.Station;

/// <summary><see cref="IEnrolment"/> on the daemon's camera and store and the site's own face models.</summary>
public sealed class FaceEnrolment(FrameSource camera, StationStore store, SiteVision vision, PhotoDecoder decoder, TimeProvider time) : IEnrolment
{
    private static readonly TimeSpan FrameSpacing = TimeSpan.FromMilliseconds(200);

    public async Task<(IReadOnlyList<EnrolFace> Faces, string? Problem)> CaptureAsync(int count, TimeSpan timeout, CancellationToken ct)
    {
        var faces = new List<EnrolFace>();
        string? problem = "no_face";
        long sequence = 0, lastTaken = 0;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            while (faces.Count < count)
            {
                RgbImage image;
                using (var frame = await camera.WaitForNewerAsync(sequence, limit.Token))
                {
                    if (frame is null)
                    {
                        return (faces, "no_camera");
                    }

                    sequence = frame.Sequence;
                    if (lastTaken != 0 && time.GetElapsedTime(lastTaken) < FrameSpacing)
                    {
                        continue;
                    }

                    image = RgbImage.FromRgb24(frame.Pixels, frame.Width, frame.Height);
                }

                using (image)
                {
                    var (face, why) = Gate(image, vision.Pipeline.Analyze(image));
                    problem = why;
                    if (face is not null)
                    {
                        faces.Add(face);
                        lastTaken = time.GetTimestamp();
                    }
                }
            }

            return (faces, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (faces, problem);
        }
    }

    public async Task<PhotoFaces> FacesInPhotoAsync(byte[] photo, string name, long maxPixels, CancellationToken ct)
    {
        var decoded = await decoder.DecodeAsync(photo, name, ct);
        using var image = decoded.Image;
        if ((long)decoded.OriginalWidth * decoded.OriginalHeight > maxPixels)
        {
            return new PhotoFaces([], "too_many_pixels");
        }

        var analyses = vision.Pipeline.Analyze(image);
        if (analyses.Length == 0)
        {
            return new PhotoFaces([], "no_face");
        }

        var faces = new List<EnrolFace>();
        string? problem = null;
        foreach (var analysis in analyses.OrderBy(a => a.Face.Box.X))
        {
            var (face, why) = Gate(image, [analysis]);
            problem ??= why;
            if (face is not null)
            {
                faces.Add(face);
            }
        }

        return new PhotoFaces(faces, faces.Count == 0 ? problem : null);
    }

    public async Task<DuplicateMatch?> FindDuplicateAsync(IReadOnlyList<EnrolFace> faces, CancellationToken ct)
    {
        var sha = vision.Pipeline.EmbedderSha256;
        var load = await store.LoadTemplatesAsync(sha, ct);
        if (load.Templates.Count == 0 || faces.Count == 0)
        {
            return null;
        }

        using var gallery = new FaceGallery(sha, faces[0].Embedding.Length, new GalleryOptions(), load.Templates.Count);
        // One batch, calibrated once: a template at a time would calibrate once per template.
        if (gallery.AddRange(load.Templates.Select(t => new FaceTemplate(t.Id, t.WorkerId, t.Embedding, t.EmbedderSha256))) is [var first, ..])
        {
            throw first.Problem;
        }

        // The threshold alone: a worker enrolled twice would fail the margin against themselves.
        var best = faces.Select(f => gallery.Search(f.Embedding)).Where(m => m.WorkerId is not null && m.Score >= gallery.CurrentThreshold)
            .MaxBy(m => m.Score);
        return best is null || await store.GetWorkerAsync(best.WorkerId!, ct) is not { } worker ? null : new DuplicateMatch(worker, best.Score);
    }

    public Task<Enrollment> StoreAsync(NewWorker worker, IReadOnlyList<EnrolFace> faces, KeeperContext by, CancellationToken ct)
    {
        var sha = vision.Pipeline.EmbedderSha256;
        return store.EnrollAsync(worker, [.. faces.Select(f => new NewTemplate(sha, f.Embedding, f.Quality) { Crop = f.Crop })], by, ct);
    }

    /// <summary>The main face of an analysed picture as an enrolment face, or the code of what is wrong with it.</summary>
    private (EnrolFace? Face, string? Problem) Gate(RgbImage image, FaceAnalysis[] analyses)
    {
        if (analyses.Length == 0)
        {
            return (null, "no_face");
        }

        var main = analyses.MaxBy(a => a.Face.Box.Width * a.Face.Box.Height)!;
        var problem = FaceCheck.Problem(image, main.Face, vision.Pipeline.Models.Alignment, out var aligned);
        using (aligned)
        {
            if (problem is not null)
            {
                return (null, problem);
            }

            var q = main.Quality;
            var quality = new TemplateQuality(q.InterEyeDistance, q.YawDegrees, q.Sharpness, q.Brightness, q.DetectorScore);
            var crop = aligned!.Pixels.ToArray();
            return (new EnrolFace(main.Embedding, quality, crop, JpegEncoder.Encode(crop, aligned.Width, aligned.Height, 85)), null);
        }
    }
}
