using System.Globalization;
using Conclave.Meetings;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Scheduling;
using Conclave.Web.Signalling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Conclave.Web.Console;

/// <summary>
/// Meetings: hosts create them with a roster, invite guests, admit or deny the lobby,
/// remove participants, lock and end. Hosts see only their own; admins see all; members
/// see the meetings they are on, with the link to join.
/// </summary>
internal static class MeetingPages
{
    /// <summary>The form's times are UTC (the appliance's clock); datetime-local sends "yyyy-MM-ddTHH:mm".</summary>
    private static readonly string[] TimeFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"];

    /// <summary>What a meeting's page shows: the meeting as its manager may see it, who waits in the lobby and who is inside.</summary>
    private sealed record MeetingView(MeetingDetails Details, IReadOnlyList<LobbyEntry> Lobby, IReadOnlyList<LiveParticipant> Live)
    {
        public static MeetingView Load(Account account, string id, MeetingService meetings, AdmissionService admission, RoomDirectory directory)
        {
            var details = meetings.Details(account, id);
            return new MeetingView(details, admission.Lobby.Waiting(details.Meeting.Id), directory.Participants(details.Meeting.Id));
        }
    }

    public static void Map(IEndpointRouteBuilder console)
    {
        var listPage = console.MapGroup("/meetings");
        listPage.MapGet("/", (ConsoleRequest request, MeetingService meetings, RoomDirectory directory) => List(request, meetings, directory, null))
            .RequireConsoleRole(Role.None);
        listPage.MapPost("/", (ConsoleRequest request, MeetingService meetings, RoomDirectory directory) =>
        {
            var form = request.Form;
            try
            {
                var meeting = meetings.Create(request.Account, form["title"],
                    ParseTime(form["starts_at"], "start"), ParseTime(form["ends_at"], "end"), SplitNames(form["roster"]),
                    form.ContainsKey("lobby_for_members") ? true : null, recordable: form.ContainsKey("recordable"));
                return Results.Redirect($"/console/meetings/{meeting.Id}");
            }
            catch (DomainException e) when (e.Kind == DomainErrorKind.Invalid)
            {
                return List(request, meetings, directory, e.Message, StatusCodes.Status400BadRequest);
            }
        }).RequireConsoleRole(Role.Host | Role.Admin);

        var meetingPage = listPage.MapGroup("/{id}").RequireConsoleRole(Role.Host | Role.Admin);
        meetingPage.MapGet("/", (ConsoleRequest request, string id, MeetingService meetings, AdmissionService admission, RoomDirectory directory) =>
            Details(request, MeetingView.Load(request.Account, id, meetings, admission, directory)));
        meetingPage.MapGet("/live", (ConsoleRequest request, string id, MeetingService meetings, AdmissionService admission, RoomDirectory directory) =>
        {
            string meetingId = meetings.Details(request.Account, id).Meeting.Id;
            return Results.Text(LiveState(admission.Lobby.Waiting(meetingId), directory.Participants(meetingId)), "text/plain; charset=utf-8");
        });
        meetingPage.MapPost("/invitations", (ConsoleRequest request, string id, MeetingService meetings, AdmissionService admission, RoomDirectory directory) =>
        {
            var form = request.Form;
            try
            {
                int? hours = int.TryParse(form["hours"], NumberStyles.None, CultureInfo.InvariantCulture, out int h) ? h : string.IsNullOrEmpty(form["hours"]) ? null
                    : throw DomainException.Invalid("Hours must be a whole number.");
                var issued = meetings.Invite(request.Account, id, form["guest_name"], hours, form["passcode"]);
                var link = new Uri(new Uri($"{request.Http.Request.Scheme}://{request.Http.Request.Host}"), $"/i/{issued.LinkToken}");
                return Details(request, MeetingView.Load(request.Account, id, meetings, admission, directory), notice: Html.Of($"""
                    <div role="status" class="notice">
                      <p>Invitation for <strong>{issued.Invitation.DisplayName}</strong>, valid until {issued.Invitation.ExpiresAt:yyyy-MM-dd HH:mm} UTC. Send this link to the guest; it is shown only now and works once:</p>
                      <p><code id="invitation-link" aria-label="Invitation link">{link.ToString()}</code></p>
                    </div>
                    """));
            }
            catch (DomainException e) when (e.Kind == DomainErrorKind.Invalid)
            {
                return Details(request, MeetingView.Load(request.Account, id, meetings, admission, directory), e.Message, status: StatusCodes.Status400BadRequest);
            }
        });
        MeetingControls.Map(meetingPage);
    }

    private static DateTimeOffset ParseTime(string? text, string which) =>
        DateTimeOffset.TryParseExact(text?.Trim(), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw DomainException.Invalid($"The {which} time must look like 2026-11-24T14:30 (UTC).");

    /// <summary>User names as typed into a roster field.</summary>
    internal static string[] SplitNames(string? text) =>
        (text ?? "").Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static IResult List(ConsoleRequest request, MeetingService meetings, RoomDirectory directory, string? error, int status = StatusCodes.Status200OK)
    {
        bool canCreate = request.Account.Holds(Role.Host | Role.Admin);
        var now = DateTimeOffset.UtcNow;
        var rows = meetings.ListVisible(request.Account).Select(m =>
        {
            bool manages = request.Account.Holds(Role.Admin) || m.HostAccountId == request.Account.Id;
            var title = manages ? Html.Of($"<a href=\"/console/meetings/{m.Id}\">{m.Title}</a>") : Html.Of($"{m.Title}");
            return Html.Of($"""
                <tr><td>{title}</td><td>{m.StartsAt:yyyy-MM-dd HH:mm}</td><td>{m.EndsAt:yyyy-MM-dd HH:mm}</td><td>{StateOf(m, now)}</td>
                <td>{directory.ParticipantCount(m.Id)}</td><td><a href="/m/{m.Id}">Join</a></td></tr>
                """);
        });
        var start = now.AddMinutes(-1);
        var createForm = Html.When(canCreate, Html.Of($"""
            <h2>New meeting</h2>
            <form method="post" action="/console/meetings" aria-label="New meeting">
              {request.CsrfField}
              <label for="title">Title</label>
              <input id="title" name="title" required maxlength="{Validation.MaxTitleLength}">
              <label for="starts_at">Starts (UTC)</label>
              <input id="starts_at" name="starts_at" type="datetime-local" required value="{start:yyyy-MM-dd'T'HH:mm}">
              <label for="ends_at">Ends (UTC)</label>
              <input id="ends_at" name="ends_at" type="datetime-local" required value="{start.AddHours(1):yyyy-MM-dd'T'HH:mm}">
              <label for="roster">Roster (user names, separated by commas or spaces)</label>
              <textarea id="roster" name="roster" rows="3"></textarea>
              <label class="check"><input type="checkbox" name="lobby_for_members" id="lobby_for_members"> Members wait in the lobby too</label>
              <label class="check"><input type="checkbox" name="recordable" id="recordable"> The host may record it for compliance (everyone is told before joining)</label>
              <button type="submit">Create meeting</button>
            </form>
            """));
        return ConsoleLayout.Page(request, "Meetings", Html.Of($"""
            {ConsoleLayout.ErrorNote(error)}
            <table aria-label="Meetings">
              <thead><tr><th scope="col">Title</th><th scope="col">Starts (UTC)</th><th scope="col">Ends (UTC)</th><th scope="col">State</th><th scope="col">Inside now</th><th scope="col">Link</th></tr></thead>
              <tbody>{rows}</tbody>
            </table>
            {createForm}
            """), status);
    }

    private static string StateOf(Meeting meeting, DateTimeOffset now) =>
        meeting.EndedAt is not null ? "ended" : meeting.Locked ? "locked" : meeting.IsOpenAt(now) ? "open" : meeting.EndsAt <= now ? "over" : "scheduled";

    /// <summary>Who waits and who is inside, as one string: the page's script reloads when it changes.</summary>
    private static string LiveState(IEnumerable<LobbyEntry> lobby, IEnumerable<LiveParticipant> live) =>
        string.Join(',', lobby.Select(e => e.Id)) + "|" + string.Join(',', live.Select(p => p.ParticipantId));

    private static IResult Details(ConsoleRequest request, MeetingView view, string? error = null, Html? notice = null, int status = StatusCodes.Status200OK)
    {
        var (details, lobby, live) = view;
        var meeting = details.Meeting;
        var lobbyItems = lobby.Select(e => Html.Of($"""
            <li aria-label="Waiting: {e.Attendee.DisplayName}">{e.Attendee.DisplayName} <small>({(e.Attendee is GuestAttendee ? "guest" : "member")}, waiting since {e.Since:HH:mm:ss})</small>
              {Control(request, meeting, "admit", $"Admit {e.Attendee.DisplayName}", ("entry", e.Id))}{Control(request, meeting, "deny", $"Deny {e.Attendee.DisplayName}", ("entry", e.Id))}</li>
            """));
        var liveItems = live.Select(p => Html.Of($"""
            <li>{p.Attendee.DisplayName} {Html.When(!(p.Attendee is MemberAttendee { Account.Id: var hostId } && hostId == meeting.HostAccountId), Control(request, meeting, "remove", $"Remove {p.Attendee.DisplayName}", ("attendee", p.Attendee.Key)))}</li>
            """));
        string state = meeting.EndedAt is not null ? $"ended at {meeting.EndedAt:yyyy-MM-dd HH:mm} UTC" : meeting.Locked ? "locked: nobody new may join" : "open";
        var controls = meeting.EndedAt is not null ? Html.Empty : Html.Of($"""
            <div role="group" aria-label="Meeting controls">{(meeting.Locked ? Control(request, meeting, "unlock", "Unlock meeting") : Control(request, meeting, "lock", "Lock meeting"))}{Control(request, meeting, "end", "End meeting for all")}</div>
            """);
        return ConsoleLayout.Page(request, meeting.Title, Html.Of($"""
            {notice}
            {ConsoleLayout.ErrorNote(error)}
            <p>{meeting.StartsAt:yyyy-MM-dd HH:mm}–{meeting.EndsAt:yyyy-MM-dd HH:mm} UTC · host {details.Host?.DisplayName} · {state} · {(meeting.LobbyForMembers ? "members wait in the lobby" : "members enter directly")}{(meeting.Recordable ? " · may be recorded for compliance" : "")}</p>
            <p>Join link for members: <a href="/m/{meeting.Id}">/m/{meeting.Id}</a></p>
            {controls}
            <section aria-label="Lobby" data-live-url="/console/meetings/{meeting.Id}/live" data-live-state="{LiveState(lobby, live)}"><h2>Lobby ({lobby.Count})</h2><ul>{lobbyItems}</ul><p><a href="/console/meetings/{meeting.Id}">Refresh</a></p></section>
            <section aria-label="In the meeting"><h2>In the meeting ({live.Count})</h2><ul>{liveItems}</ul></section>
            <section aria-label="Roster"><h2>Roster</h2>
              <form method="post" action="/console/meetings/{meeting.Id}/roster" aria-label="Roster">
                {request.CsrfField}
                <label for="roster">Members (user names)</label>
                <textarea id="roster" name="roster" rows="3">{string.Join(", ", details.Roster.Select(a => a.UserName))}</textarea>
                <button type="submit">Save roster</button>
              </form>
            </section>
            {InvitationsSection(request, meeting, details.Invitations)}
            """), status, watchLive: true);
    }

    private static Html InvitationsSection(ConsoleRequest request, Meeting meeting, IEnumerable<Invitation> invitations)
    {
        var rows = invitations.Select(i => Html.Of($"""
            <tr><td>{i.DisplayName}</td><td>{i.State.ToString().ToLowerInvariant()}</td><td>{i.ExpiresAt:yyyy-MM-dd HH:mm}</td><td>{(i.PasscodeHash is null ? "no" : "yes")}</td>
            <td>{Html.When(i.State is InvitationState.Issued or InvitationState.Redeemed, Control(request, meeting, "revoke", $"Revoke {i.DisplayName}", ("invitation", i.Id)))}</td></tr>
            """));
        return Html.Of($"""
            <section aria-label="Guest invitations"><h2>Guest invitations</h2>
              <table aria-label="Invitations"><thead><tr><th scope="col">Guest</th><th scope="col">State</th><th scope="col">Expires (UTC)</th><th scope="col">Passcode</th><th scope="col"></th></tr></thead><tbody>{rows}</tbody></table>
              <form method="post" action="/console/meetings/{meeting.Id}/invitations" aria-label="New invitation">
                {request.CsrfField}
                <label for="guest_name">Guest's name</label>
                <input id="guest_name" name="guest_name" required maxlength="{Validation.MaxDisplayNameLength}">
                <label for="hours">Valid for (hours)</label>
                <input id="hours" name="hours" inputmode="numeric" placeholder="default">
                <label for="passcode">Passcode (optional, tell it separately)</label>
                <input id="passcode" name="passcode" maxlength="{Validation.MaxPasscodeLength}" autocomplete="off">
                <button type="submit">Invite guest</button>
              </form>
            </section>
            """);
    }

    /// <summary>One host control as a one-button form, with its hidden fields.</summary>
    private static Html Control(ConsoleRequest request, Meeting meeting, string action, string label, params (string Name, string Value)[] fields) => Html.Of($"""
        <form method="post" action="/console/meetings/{meeting.Id}/{action}" class="inline">{request.CsrfField}{fields.Select(f => Html.Of($"<input type=\"hidden\" name=\"{f.Name}\" value=\"{f.Value}\">"))}<button type="submit">{label}</button></form>
        """);
}
