using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Text;
using StationEdge.Passes;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages.Passes;

/// <summary>A pass to print or save: the QR code as inline SVG (made by <see cref="PassQr"/> from numbers only, so safe to embed raw).</summary>
public sealed class ShowModel(PassBook passes, StationStore store, Localizer l) : PageModel
{
    public PassRecord? Pass { get; private set; }

    public string Holder { get; private set; } = "";

    public string Svg { get; private set; } = "";

    public async Task OnGetAsync(Guid id)
    {
        Pass = await passes.FindAsync(id, HttpContext.RequestAborted);
        if (Pass is null)
        {
            return;
        }

        Holder = Pass.Kind == PassKind.Visitor ? l.Format(Texts.Visitor, Pass.VisitorName)
            : (await store.GetWorkerAsync(Pass.WorkerId!, HttpContext.RequestAborted))?.Name ?? Pass.WorkerId!;
        Svg = PassQr.Svg(passes.CodeOf(Pass));
    }
}
