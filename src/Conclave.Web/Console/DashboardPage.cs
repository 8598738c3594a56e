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
    /// <summary>A meeting someone is in right now, with each participant's rates (null until sampled).</summary>
    private sealed record LiveMeeting(Meeting Meeting, IReadOnlyList<(string DisplayName, PeerBitrate? Rate)> Participants);

    public static void Map(IEndpointRouteBuilder console) =>
        console.MapGet("/", (ConsoleRequest request, MeetingService meetings, RoomDirectory directory, BitrateSampler bitrates) =>
        {
            var visible = meetings.ListVisible(request.Account);
            var upcoming = visible.Where(m => m.EndedAt is null && m.EndsAt > DateTimeOffset.UtcNow).ToList();
            return Render(request, Live(visible, directory, bitrates.Rates), upcoming);
        }).RequireConsoleRole(Role.None);

    private static List<LiveMeeting> Live(IEnumerable<Meeting> visible, RoomDirectory directory, IReadOnlyDictionary<string, PeerBitrate> rates) =>
        visible
            .Select(m => new LiveMeeting(m, directory.Participants(m.Id).Select(p => (p.Attendee.DisplayName, rates.GetValueOrDefault(p.ParticipantId))).ToList()))
            .Where(m => m.Participants.Count > 0)
            .ToList();

    private static IResult Render(ConsoleRequest request, List<LiveMeeting> live, List<Meeting> upcoming)
    {
        var liveSections = live.Select(m =>
        {
            var rows = m.Participants.Select(p =>
                Html.Of($"<tr><td>{p.DisplayName}</td><td>{Kbps(p.Rate?.PublishedBitsPerSecond)}</td><td>{Kbps(p.Rate?.ReceivedBitsPerSecond)}</td></tr>"));
            return Html.Of($"""
                <section aria-label="Live: {m.Meeting.Title}"><h3>{m.Meeting.Title}</h3>
                <table aria-label="Participants of {m.Meeting.Title}"><thead><tr><th scope="col">Participant</th><th scope="col">Sends</th><th scope="col">Receives</th></tr></thead><tbody>{rows}</tbody></table></section>
                """);
        });
        var upcomingItems = upcoming.Select(m => Html.Of($"<li>{m.Title} — {m.StartsAt:yyyy-MM-dd HH:mm} UTC · <a href=\"/m/{m.Id}\">Join</a></li>"));
        return ConsoleLayout.Page(request, "Dashboard", Html.Of($"""
            <h2>Live meetings ({live.Count})</h2>
            {(live.Count == 0 ? Html.Trusted("<p>No meeting is running now.</p>") : Html.Join(liveSections))}
            <h2>Your meetings</h2>
            <ul>{upcomingItems}</ul>
            """), refreshSeconds: 15);
    }

    private static string Kbps(long? bitsPerSecond) => bitsPerSecond is { } bps ? $"{bps / 1000:N0} kbit/s" : "—";
}
