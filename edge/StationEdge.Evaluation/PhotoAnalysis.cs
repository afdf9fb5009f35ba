using StationEdge.Vision.Imaging;
using StationEdge.Vision.Liveness;

namespace StationEdge.Evaluation;

/// <summary>
/// The one loop both eval commands run over their photos: ffmpeg decodes the next photos while ONNX Runtime works on
/// the current one, each photo is analysed once in the order given, a photo that cannot be read becomes a result
/// naming why (never an exception that ends the run), and progress goes to stderr every 25 photos and at the end.
/// </summary>
public static class PhotoAnalysis
{
    /// <summary>The reason given for a photo that does not exist (the commands tell a pairs file of only those apart).</summary>
    public const string NotFound = "unreadable: file not found";

    /// <summary>How many decodes run ahead of the photo being analysed: enough to hide ffmpeg's start-up, little memory.</summary>
    public const int DecodeAhead = 2;

    /// <summary>How often progress is reported.</summary>
    public const int ProgressEvery = 25;

    /// <param name="items">What to analyse, in order.</param>
    /// <param name="pathOf">The photo file of an item.</param>
    /// <param name="analyse">The item's result from its decoded photo (the image is disposed after the call).</param>
    /// <param name="unreadable">The item's result when its photo cannot be read, with the reason (<see cref="NotFound"/> or <c>unreadable: …</c>).</param>
    /// <param name="progress">Told the number analysed and the total; written as <c>eval: analysed N/T photos</c> by the commands.</param>
    public static async Task<List<TResult>> AnalyseInOrderAsync<TItem, TResult>(
        PhotoDecoder decoder,
        IReadOnlyList<TItem> items,
        Func<TItem, string> pathOf,
        Func<TItem, RgbImage, TResult> analyse,
        Func<TItem, string, TResult> unreadable,
        Action<int, int>? progress,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(pathOf);
        ArgumentNullException.ThrowIfNull(analyse);
        ArgumentNullException.ThrowIfNull(unreadable);
        var results = new List<TResult>(items.Count);
        var pending = new Queue<(TItem Item, Task<DecodedPhoto> Decode)>();
        var next = 0;
        void Fill()
        {
            while (pending.Count < DecodeAhead && next < items.Count)
            {
                var item = items[next++];
                pending.Enqueue((item, decoder.DecodeAsync(pathOf(item), ct)));
            }
        }

        Fill();
        while (pending.Count > 0)
        {
            var (item, decode) = pending.Dequeue();
            Fill();
            try
            {
                using var image = (await decode.ConfigureAwait(false)).Image;
                results.Add(analyse(item, image));
            }
            catch (PhotoDecodeException e) when (e.InnerException is FileNotFoundException or DirectoryNotFoundException)
            {
                results.Add(unreadable(item, NotFound));
            }
            catch (PhotoDecodeException e)
            {
                results.Add(unreadable(item, $"unreadable: {e.Reason}"));
            }

            if (results.Count % ProgressEvery == 0 || results.Count == items.Count)
            {
                progress?.Invoke(results.Count, items.Count);
            }
        }

        return results;
    }
}

/// <summary>
/// Bona-fide presentation classification error over the photos whose faces the liveness model scored: genuine faces
/// it calls fake. <see cref="CalledFakePhotos"/>: their file names, in ordinal order.
/// </summary>
public sealed record LivenessTally(int Faces, int CalledFake, double Bpcer, IReadOnlyList<string> CalledFakePhotos)
{
    /// <summary>The tally over each photo's liveness result (null: not scored, left out).</summary>
    public static LivenessTally Of(IEnumerable<(string Photo, LivenessResult? Liveness)> photos)
    {
        ArgumentNullException.ThrowIfNull(photos);
        var scored = photos.Where(p => p.Liveness is not null).ToList();
        var fake = scored.Where(p => !p.Liveness!.IsLive).Select(p => Path.GetFileName(p.Photo)).Order(StringComparer.Ordinal).ToList();
        return new LivenessTally(scored.Count, fake.Count, scored.Count == 0 ? 0 : fake.Count / (double)scored.Count, fake);
    }
}
