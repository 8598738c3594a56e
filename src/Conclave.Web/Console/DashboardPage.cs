using Conclave.Meetings.Accounts;
using Conclave.Meetings.Scheduling;
using Conclave.Web.Signalling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Conclave.Web.Console;

/// <summary>Live meetings the account may see, who is in them, and their bitrates.</summary>
internal static class DashboardPage
{
    public static void Map(IEndpointRouteBuilder app, ConsoleGate gate) =>
        app.MapGet("/console", gate.Page(Role.None, Render));

    private static IResult Render(ConsoleRequest request)
    {
        var directory = request.Service<RoomDirectory>();
        var rates = request.Service<BitrateSampler>().Rates;
        var visible = request.Service<MeetingService>().ListVisible(request.Account);
        var live = visible.Where(m => directory.ParticipantCount(m.Id) > 0).ToList();
        var upcoming = visible.Where(m => m.EndedAt is null && m.EndsAt > DateTimeOffset.UtcNow).ToList();
        var liveSections = live.Select(m =>
        {
            var rows = directory.Participants(m.Id).Select(p =>
            {
                var rate = rates.GetValueOrDefault(p.ParticipantId);
                return Html.Of($"<tr><td>{p.Attendee.DisplayName}</td><td>{Kbps(rate?.PublishedBitsPerSecond)}</td><td>{Kbps(rate?.ReceivedBitsPerSecond)}</td></tr>");
            });
            return Html.Of($"""
                <section aria-label="Live: {m.Title}"><h3>{m.Title}</h3>
                <table aria-label="Participants of {m.Title}"><thead><tr><th scope="col">Participant</th><th scope="col">Sends</th><th scope="col">Receives</th></tr></thead><tbody>{rows}</tbody></table></section>
                """);
        });
        var upcomingItems = upcoming.Select(m => Html.Of($"<li>{m.Title} — {m.StartsAt:yyyy-MM-dd HH:mm} UTC · <a href=\"/m/{m.Id}\">Join</a></li>"));
        return ConsoleLayout.Page(request, "Dashboard", Html.Of($"""
            <h2>Live meetings ({live.Count})</h2>
            {(live.Count == 0 ? Html.Of($"<p>No meeting is running now.</p>") : Html.Join(liveSections))}
            <h2>Your meetings</h2>
            <ul>{upcomingItems}</ul>
            """), refreshSeconds: 15);
    }

    private static string Kbps(long? bitsPerSecond) => bitsPerSecond is { } bps ? $"{bps / 1000:N0} kbit/s" : "—";
}
