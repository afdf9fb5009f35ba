using System.Text;
using StationEdge.Passes;
using StationEdge.Store;

namespace StationEdge.Tests.Shared;

/// <summary>Four codes of one worker's passes: valid, valid with one byte changed, expired, revoked.</summary>
public sealed record PrintedPassCodes(string Valid, Guid ValidId, string Forged, string Expired, string Revoked)
{
    public IReadOnlyList<string> InOrder => [Valid, Forged, Expired, Revoked];
}

/// <summary>Passes issued from the station's pass book and printed into a door camera's video, for the door tests.</summary>
public static class PrintedPasses
{
    /// <summary>Issues the four passes of <paramref name="workerId"/> in the pass book of <paramref name="dataPath"/> (the expired one by a book living a day ago).</summary>
    public static async Task<PrintedPassCodes> IssueAsync(string dataPath, string workerId)
    {
        // The station's store, opened beside whoever else has it open (the store's lock is shared).
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = dataPath });
        var past = await PassBook.OpenAsync(store, new SettableTime { Offset = TimeSpan.FromDays(-1) });
        var expired = past.CodeOf(await past.IssueWorkerPassAsync(workerId, TimeSpan.FromHours(1), "keeper:li"));
        var book = await PassBook.OpenAsync(store);
        var valid = await book.IssueWorkerPassAsync(workerId, TimeSpan.FromHours(8), "keeper:li");
        var revoked = await book.IssueWorkerPassAsync(workerId, TimeSpan.FromHours(8), "keeper:li");
        await book.RevokeAsync(revoked.Id, "keeper:li");
        var code = book.CodeOf(valid);
        // One character of the signed part changed: still well-formed base64url, no longer this station's signature.
        var at = PassToken.Prefix.Length + 12;
        var forged = code[..at] + (code[at] == 'A' ? 'B' : 'A') + code[(at + 1)..];
        return new PrintedPassCodes(code, valid.Id, forged, expired, book.CodeOf(revoked));
    }

    /// <summary>
    /// A 640×480 15 fps video in <paramref name="folder"/>: each code printed on white paper, tilted 7°, held up for 2 s
    /// in turn (from 0.5 s, 2.5 s apart) over a grey-blue background, with sensor noise, MPEG-4 encoded; its path.
    /// </summary>
    public static string Video(string folder, IReadOnlyList<string> codes)
    {
        var seconds = 1 + (2.5 * codes.Count);
        var args = new List<string> { "-f", "lavfi", "-i", FormattableString.Invariant($"color=c=0x50606e:size=640x480:rate=15:duration={seconds}") };
        var graph = new StringBuilder();
        for (var i = 0; i < codes.Count; i++)
        {
            var (pixels, side) = PassQr.Grey(codes[i], 5);
            var image = Path.Combine(folder, $"pass{i}.pgm");
            using (var file = File.Create(image))
            {
                file.Write(Encoding.ASCII.GetBytes($"P5\n{side} {side}\n255\n"));
                file.Write(pixels);
            }

            args.AddRange(["-loop", "1", "-framerate", "15", "-i", image]);
            graph.Append($"[{i + 1}]pad=iw+40:ih+40:20:20:white,format=rgb24,rotate=0.12:c=0x50606e:ow=rotw(0.12):oh=roth(0.12)[p{i}];");
        }

        var main = "0";
        for (var i = 0; i < codes.Count; i++)
        {
            var start = 0.5 + (2.5 * i);
            graph.Append(FormattableString.Invariant($"[{main}][p{i}]overlay=170:50:enable='between(t,{start:0.0},{start + 2:0.0})'[v{i}];"));
            main = $"v{i}";
        }

        graph.Append($"[{main}]noise=alls=6:allf=t,format=yuv420p[out]");
        var video = Path.Combine(folder, "door.mp4");
        args.AddRange(["-filter_complex", graph.ToString(), "-map", "[out]", "-t", FormattableString.Invariant($"{seconds}"), "-c:v", "mpeg4", "-q:v", "2", video]);
        TestFfmpeg.Run(args, limitSeconds: 120);
        return video;
    }
}
