using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using StationEdge.KeeperSite.Station;
using StationEdge.KeeperSite.Text;
using StationEdge.KeeperSite.Web;
using StationEdge.Store;
using StationEdge.Vision.Imaging;

namespace StationEdge.KeeperSite.Pages.Enrol;

/// <summary>
/// 录入: the worker's details and consent, then faces from the door camera (N good frames) or from photos. Photos are
/// read into memory (never written to disk), checked by size and content, decoded with EXIF orientation applied.
/// </summary>
public sealed class IndexModel(IEnrolment enrolment, EnrolmentSteps steps, IOptions<KeeperSiteOptions> site, Localizer l) : PageModel
{
    private readonly KeeperSiteOptions _site = site.Value;

    [BindProperty(Name = "")]
    public WorkerForm Form { get; set; } = new();

    [BindProperty]
    public bool Consent { get; set; }

    [BindProperty]
    public List<IFormFile> Photos { get; set; } = [];

    public int Frames => _site.EnrolFrames;

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostCameraAsync()
    {
        if (Details() is not { } worker)
        {
            return Page();
        }

        var (faces, problem) = await enrolment.CaptureAsync(_site.EnrolFrames, TimeSpan.FromSeconds(_site.CaptureTimeoutSeconds), HttpContext.RequestAborted);
        if (problem is not null)
        {
            Error = l.Format(Texts.CaptureTimeout, _site.CaptureTimeoutSeconds, Guidance(problem));
            return Page();
        }

        return await ContinueAsync(new EnrolDraft(Guid.NewGuid(), User.Name(), worker, faces, []));
    }

    public async Task<IActionResult> OnPostPhotosAsync()
    {
        if (Details() is not { } worker)
        {
            return Page();
        }

        if (Photos.Count == 0)
        {
            Error = l[Texts.NoPhotos];
            return Page();
        }

        if (Photos.Count > _site.MaxPhotos)
        {
            Error = l.Format(Texts.TooManyPhotos, _site.MaxPhotos);
            return Page();
        }

        var chosen = new List<EnrolFace>();
        var toChoose = new List<IReadOnlyList<EnrolFace>>();
        foreach (var photo in Photos)
        {
            var shown = Path.GetFileName(photo.FileName);
            if (photo.Length > _site.MaxPhotoMegabytes * 1024L * 1024L)
            {
                Error = l.Format(Texts.PhotoTooLarge, shown, _site.MaxPhotoMegabytes);
                return Page();
            }

            var bytes = new byte[photo.Length];
            await using (var stream = photo.OpenReadStream())
            {
                await stream.ReadExactlyAsync(bytes, HttpContext.RequestAborted);
            }

            if (!IsPhoto(bytes))
            {
                Error = l.Format(Texts.PhotoWrongFormat, shown);
                return Page();
            }

            PhotoFaces found;
            try
            {
                found = await enrolment.FacesInPhotoAsync(bytes, shown, _site.MaxPhotoMegapixels * 1_000_000L, HttpContext.RequestAborted);
            }
            catch (PhotoDecodeException e)
            {
                Error = l.Format(Texts.PhotoUnusable, shown, e.Message);
                return Page();
            }

            if (found.Faces.Count == 0)
            {
                Error = found.Problem == "too_many_pixels" ? l.Format(Texts.PhotoTooManyPixels, shown, _site.MaxPhotoMegapixels)
                    : found.Problem == "no_face" ? l.Format(Texts.NoFaceInPhoto, shown)
                    : l.Format(Texts.PhotoUnusable, shown, Guidance(found.Problem));
                return Page();
            }

            if (found.Faces.Count == 1)
            {
                chosen.Add(found.Faces[0]);
            }
            else
            {
                toChoose.Add(found.Faces);
            }
        }

        return await ContinueAsync(new EnrolDraft(Guid.NewGuid(), User.Name(), worker, chosen, toChoose));
    }

    /// <summary>JPEG, PNG or WebP by the first bytes (what phones make); anything else is refused before decoding.</summary>
    internal static bool IsPhoto(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])
        || (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8));

    private async Task<IActionResult> ContinueAsync(EnrolDraft draft)
    {
        try
        {
            return Redirect(await steps.ContinueAsync(draft, duplicateConfirmed: false, HttpContext.Keeper(), HttpContext.RequestAborted));
        }
        catch (StoreException e) when (e.IsBadInput)
        {
            Error = l.Format(Texts.NotSaved, e.Message);
            return Page();
        }
    }

    private NewWorker? Details()
    {
        var profile = Form.Profile();
        if (profile.Name.Length == 0)
        {
            Error = l[Texts.NameRequired];
            return null;
        }

        if (!Consent)
        {
            Error = l[Texts.ConsentRequired];
            return null;
        }

        return new NewWorker
        {
            Id = "pending",
            Name = profile.Name,
            Phone = profile.Phone,
            Employer = profile.Employer,
            MemberNumber = profile.MemberNumber,
            ValidUntil = profile.ValidUntil,
            ConsentVersion = Codes.ConsentVersion,
            ConsentScope = Form.Scope() ?? ConsentScope.Station,
        };
    }

    private string Guidance(string? problem) => problem == "no_camera" ? l[Texts.GuideNoCamera] : (Codes.GuidanceFor(problem) ?? Texts.GuideFaceCamera).In(l.Language);
}
