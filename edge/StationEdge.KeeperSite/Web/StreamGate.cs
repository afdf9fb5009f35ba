using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StationEdge.KeeperSite.Text;

namespace StationEdge.KeeperSite.Web;

/// <summary>
/// A bound on the live streams (visit events, the door screen, the camera pictures): each holds a connection and a
/// little memory for as long as a page is open, so a phone reloading a page in a loop, or a LAN script, must not be
/// able to open them without end on a Pi. Per address and in total; over either, 429 with a line saying why.
/// </summary>
internal sealed class StreamGate
{
    /// <summary>A keeper's phone with the visits, the door and a camera page open, and one to spare.</summary>
    public const int PerClient = 4;

    /// <summary>Far beyond one station's phones and screens.</summary>
    public const int Total = 32;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _byClient = new(StringComparer.Ordinal);
    private int _total;

    public int Open
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    public bool TryEnter(string client)
    {
        lock (_gate)
        {
            var mine = _byClient.GetValueOrDefault(client);
            if (mine >= PerClient || _total >= Total)
            {
                return false;
            }

            _byClient[client] = mine + 1;
            _total++;
            return true;
        }
    }

    public void Leave(string client)
    {
        lock (_gate)
        {
            _total--;
            if (--_byClient[client] == 0)
            {
                _byClient.Remove(client);
            }
        }
    }

    /// <summary>The endpoint filter: the slot is held until the stream's handler returns, which is when the stream ends.</summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var gate = http.RequestServices.GetRequiredService<StreamGate>();
        var client = http.Address();
        if (!gate.TryEnter(client))
        {
            return Results.Text(Texts.TooManyStreams.In(Localizer.Of(http)), "text/plain; charset=utf-8", statusCode: StatusCodes.Status429TooManyRequests);
        }

        try
        {
            return await next(context);
        }
        finally
        {
            gate.Leave(client);
        }
    }
}
