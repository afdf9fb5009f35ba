using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StationEdge.KeeperSite.Station;
using StationEdge.KeeperSite.Text;
using StationEdge.Passes;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Web;

/// <summary>
/// The site's endpoints besides its pages, all GET (nothing here changes state): the live visit stream, the camera
/// preview (MJPEG) and its guidance, the door's state, the door screen's stream and camera, a pass's QR image, an
/// enrolment draft's face pictures, and the embedded assets.
/// </summary>
internal static class SiteEndpoints
{
    private const string Boundary = "frame";

    public static void Map(IEndpointRouteBuilder app)
    {
        var keeper = app.MapGroup("").RequireAuthorization(KeeperUser.KeeperPolicy);
        keeper.MapGet("/events/visits", VisitStreamAsync).AddEndpointFilter(StreamGate.Filter);
        keeper.MapGet("/camera/preview.mjpeg", (HttpContext c, ICameraPreview p) => MjpegAsync(c, p)).AddEndpointFilter(StreamGate.Filter);
        keeper.MapGet("/camera/guide", Guide);
        keeper.MapGet("/api/door", DoorState);
        keeper.MapGet("/passes/{id:guid}.svg", PassSvg);
        keeper.MapGet("/enrol/face/{draft:guid}/{photo:int}/{face:int}.jpg", DraftFace);

        var screen = app.MapGroup("/screen").AllowAnonymous();
        screen.MapGet("/camera.mjpeg", (HttpContext c, ICameraPreview p, IOptions<KeeperSiteOptions> site) => site.Value.ScreenCamera ? MjpegAsync(c, p) : NotShown(c))
            .AddEndpointFilter(StreamGate.Filter);
        screen.MapGet("/events", ScreenStreamAsync).AddEndpointFilter(StreamGate.Filter);
        screen.MapGet("/guide", Guide);

        app.MapGet("/assets/{file}", Asset).AllowAnonymous();
    }

    /// <summary>Today's visits as they are stored: each an <c>event: visit</c> whose data is the table row's HTML.</summary>
    private static async Task VisitStreamAsync(HttpContext context, IVisitFeed feed, VisitNames names, IHostApplicationLifetime lifetime, long after = 0)
    {
        var language = Localizer.Of(context);
        var ct = await StartStreamAsync(context, lifetime);
        try
        {
            await foreach (var visit in feed.ReadAsync(after, ct))
            {
                var named = (await names.NameAsync([visit], ct))[0];
                await SendAsync(context, "visit", VisitRows.Render(named, language, TimeZoneInfo.Local).ToString()!, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The page closed, or the host stops.
        }
    }

    /// <summary>The door screen's messages: a JSON object per decision, shown by the screen's script as text.</summary>
    private static async Task ScreenStreamAsync(HttpContext context, IVisitFeed feed, VisitNames names, IHostApplicationLifetime lifetime, IOptions<KeeperSiteOptions> site)
    {
        var style = site.Value.ScreenName;
        var language = Localizer.Of(context);
        var store = context.RequestServices.GetRequiredService<StationStore>();
        var newest = await store.ListVisitsAsync(limit: 1, ct: context.RequestAborted) is [var last, ..] ? last.Seq : 0;
        var ct = await StartStreamAsync(context, lifetime);
        try
        {
            await foreach (var visit in feed.ReadAsync(newest, ct))
            {
                var named = (await names.NameAsync([visit], ct))[0];
                var granted = visit.Decision == VisitDecision.Granted;
                var headline = granted
                    ? (named.WorkerName is { } w ? Greet(Texts.Welcome, w) : named.GuestName is { } g ? Greet(Texts.WelcomeGuest, g) : Texts.Granted.In(language))
                    : Texts.NotRecognised.In(language);
                string Greet(Phrase phrase, string name) => ScreenNames.Shown(name, style) is { } shown ? phrase.In(language, shown) : Texts.WelcomeHome.In(language);
                var advice = granted ? null : Codes.GuidanceFor(visit.Reason)?.In(language);
                await SendAsync(context, "decision", JsonSerializer.Serialize(new { granted, headline, advice }), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The screen closed, or the host stops.
        }
    }

    private static Task NotShown(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private static async Task MjpegAsync(HttpContext context, ICameraPreview preview)
    {
        var ct = context.RequestAborted;
        var lifetime = context.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        context.Response.ContentType = $"multipart/x-mixed-replace; boundary={Boundary}";
        long sequence = 0;
        try
        {
            await context.Response.StartAsync(linked.Token);
            while (!linked.IsCancellationRequested)
            {
                if (await preview.NextAsync(sequence, linked.Token) is not { } frame)
                {
                    continue;
                }

                sequence = frame.Sequence;
                var head = Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {frame.Jpeg.Length}\r\n\r\n");
                await context.Response.Body.WriteAsync(head, linked.Token);
                await context.Response.Body.WriteAsync(frame.Jpeg, linked.Token);
                await context.Response.Body.WriteAsync("\r\n"u8.ToArray(), linked.Token);
                await context.Response.Body.FlushAsync(linked.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The viewer left, or the host stops.
        }
    }

    private static IResult Guide(HttpContext context, ICameraPreview preview)
    {
        var language = Localizer.Of(context);
        var latest = preview.Latest;
        var text = latest is null ? Texts.GuideNoCamera
            : latest.Problem is null ? Texts.GuideGood
            : Codes.GuidanceFor(latest.Problem) ?? Texts.GuideFaceCamera;
        return Results.Json(new { problem = latest is null ? "no_camera" : latest.Problem, good = latest is { Problem: null }, text = text.In(language) });
    }

    private static IResult DoorState(HttpContext context, IKeeperDoor door)
    {
        var language = Localizer.Of(context);
        var status = door.Status;
        return Results.Json(status is null
            ? new { running = false, locked = true, open = false, alarms = Array.Empty<string>() }
            : new { running = true, locked = !status.Unlocked, open = status.DoorOpen, alarms = status.Alarms.Select(a => Codes.Alarm(a).In(language)).ToArray() });
    }

    private static IResult PassSvg(Guid id, PassBook passes)
    {
        if (passes.Find(id) is not { } pass)
        {
            return Results.NotFound();
        }

        return Results.File(Encoding.UTF8.GetBytes(PassQr.Svg(passes.CodeOf(pass))), "image/svg+xml", $"pass-{id.ToString()[..8]}.svg");
    }

    private static IResult DraftFace(HttpContext context, Guid draft, int photo, int face, EnrolmentDrafts drafts)
    {
        var found = drafts.Find(draft, context.User.Name());
        var faces = found is null ? null : photo < 0 ? found.Chosen : photo < found.ToChoose.Count ? found.ToChoose[photo] : null;
        return faces is not null && face >= 0 && face < faces.Count ? Results.File(faces[face].ThumbnailJpeg, "image/jpeg") : Results.NotFound();
    }

    private static IResult Asset(string file)
    {
        var stream = typeof(SiteEndpoints).Assembly.GetManifestResourceStream("assets/" + file);
        if (stream is null)
        {
            return Results.NotFound();
        }

        var type = Path.GetExtension(file) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
        return Results.Stream(stream, type, lastModified: Built, entityTag: null);
    }

    private static readonly DateTimeOffset Built = File.GetLastWriteTimeUtc(typeof(SiteEndpoints).Assembly.Location);

    /// <summary>Starts an event stream; the token ends it when the client leaves or the host stops.</summary>
    private static async Task<CancellationToken> StartStreamAsync(HttpContext context, IHostApplicationLifetime lifetime)
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.RegisterForDispose(linked);
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        // The headers go now: a browser sees the stream open before the first visit.
        await context.Response.WriteAsync(": open\n\n", linked.Token);
        await context.Response.Body.FlushAsync(linked.Token);
        return linked.Token;
    }

    private static async Task SendAsync(HttpContext context, string name, string data, CancellationToken ct)
    {
        var message = $"event: {name}\ndata: {data.Replace("\n", " ", StringComparison.Ordinal)}\n\n";
        await context.Response.WriteAsync(message, ct);
        await context.Response.Body.FlushAsync(ct);
    }
}
