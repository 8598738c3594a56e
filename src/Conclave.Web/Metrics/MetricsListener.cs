using System.Net;
using Conclave.Media.Sfu;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Conclave.Web.Metrics;

/// <summary>
/// The media plane's counters as text on a loopback-only plain-HTTP listener of their own
/// (Conclave:Metrics), for a load tool or a local scraper: nothing else is served there, and
/// <c>/metrics</c> is not served on the HTTPS listener. It shows room ids and packet counts,
/// never who is in a room.
/// </summary>
public sealed record MetricsListener(IPEndPoint EndPoint)
{
    public const string Path = "/metrics";

    /// <summary>Answers every request that reached the metrics listener; any other passes on to the appliance's routes.</summary>
    internal void Use(WebApplication app, MediaPlane plane)
    {
        app.Use(async (context, next) =>
        {
            if (!IsMetricsConnection(context.Connection))
            {
                await next();
                return;
            }
            if (!HttpMethods.IsGet(context.Request.Method) || context.Request.Path != Path)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            var stats = await plane.GetStatsAsync();
            context.Response.ContentType = MetricsText.ContentType;
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsync(MetricsText.Format(stats), context.RequestAborted);
        });
    }

    /// <summary>By the connection's local end, never the Host header a client chooses.</summary>
    private bool IsMetricsConnection(ConnectionInfo connection) =>
        connection.LocalPort == EndPoint.Port && connection.LocalIpAddress is { } local && IPAddress.IsLoopback(local);
}
