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

    public static void Map(IEndpointRouteBuilder app, ConsoleGate gate)
    {
        app.MapGet("/console/meetings", gate.Page(Role.None, request => List(request, null)));
        app.MapPost("/console/meetings", gate.Form(Role.Host | Role.Admin, (request, form) =>
        {
            try
            {
                var meeting = request.Service<MeetingService>().Create(request.Account, form["title"],
                    ParseTime(form["starts_at"], "start"), ParseTime(form["ends_at"], "end"), SplitNames(form["roster"]),
                    form.ContainsKey("lobby_for_members") ? true : null);
                return Results.Redirect($"/console/meetings/{meeting.Id}");
            }
            catch (DomainException e) when (e.Kind == DomainErrorKind.Invalid)
            {
                return List(request, e.Message, StatusCodes.Status400BadRequest);
            }
        }));
        app.MapGet("/console/meetings/{id}", (HttpContext http, string id) => gate.Page(Role.Host | Role.Admin, request => Details(request, id, null, null))(http));
        app.MapGet("/console/meetings/{id}/live", (HttpContext http, string id) => gate.Page(Role.Host | Role.Admin, request =>
        {
            var meeting = request.Service<MeetingService>().Details(request.Account, id).Meeting;
            return Results.Text(LiveState(request, meeting.Id), "text/plain; charset=utf-8");
        })(http));
        MapAction(app, gate, "roster", (request, id, form) => request.Service<MeetingService>().ReplaceRoster(request.Account, id, SplitNames(form["roster"])));
        MapAction(app, gate, "lock", (request, id, _) => request.Service<MeetingService>().SetLocked(request.Account, id, true));
        MapAction(app, gate, "unlock", (request, id, _) => request.Service<MeetingService>().SetLocked(request.Account, id, false));
        MapAction(app, gate, "end", (request, id, _) =>
        {
            var ended = request.Service<MeetingService>().End(request.Account, id);
            request.Service<AdmissionService>().CloseLobby(ended.Id);
            request.Service<RoomDirectory>().DisconnectAll(ended.Id, RefusalCode.Ended, "The host ended the meeting.");
        });
        MapAction(app, gate, "admit", (request, id, form) => request.Service<AdmissionService>().Admit(request.Account, id, form["entry"]));
        MapAction(app, gate, "deny", (request, id, form) => request.Service<AdmissionService>().Deny(request.Account, id, form["entry"]));
        MapAction(app, gate, "revoke", (request, id, form) => request.Service<MeetingService>().Revoke(request.Account, id, form["invitation"]));
        MapAction(app, gate, "remove", (request, id, form) =>
        {
            var directory = request.Service<RoomDirectory>();
            var live = directory.Participants(id).FirstOrDefault(p => p.Attendee.Key == form["attendee"])
                ?? throw DomainException.NotFound("That person is not in the meeting any more.");
            request.Service<AdmissionService>().Remove(request.Account, id, live.Attendee);
            directory.Disconnect(id, live.Attendee.Key, RefusalCode.Removed, "The host removed you from the meeting.");
        });
        app.MapPost("/console/meetings/{id}/invitations", (HttpContext http, string id) => gate.Form(Role.Host | Role.Admin, (request, form) =>
        {
            try
            {
                int? hours = int.TryParse(form["hours"], NumberStyles.None, CultureInfo.InvariantCulture, out int h) ? h : string.IsNullOrEmpty(form["hours"]) ? null
                    : throw DomainException.Invalid("Hours must be a whole number.");
                var issued = request.Service<MeetingService>().Invite(request.Account, id, form["guest_name"], hours, form["passcode"]);
                var link = new Uri(new Uri($"{http.Request.Scheme}://{http.Request.Host}"), $"/i/{issued.LinkToken}");
                return Details(request, id, null, Html.Of($"""
                    <div role="status" class="notice">
                      <p>Invitation for <strong>{issued.Invitation.DisplayName}</strong>, valid until {issued.Invitation.ExpiresAt:yyyy-MM-dd HH:mm} UTC. Send this link to the guest; it is shown only now and works once:</p>
                      <p><code id="invitation-link" aria-label="Invitation link">{link.ToString()}</code></p>
                    </div>
                    """));
            }
            catch (DomainException e) when (e.Kind == DomainErrorKind.Invalid)
            {
                return Details(request, id, e.Message, null, StatusCodes.Status400BadRequest);
            }
        })(http));
    }

    /// <summary>A host control: POST /console/meetings/{id}/{action}, then back to the meeting's page.</summary>
    private static void MapAction(IEndpointRouteBuilder app, ConsoleGate gate, string action, Action<ConsoleRequest, string, IFormCollection> work) =>
        app.MapPost($"/console/meetings/{{id}}/{action}", (HttpContext http, string id) => gate.Form(Role.Host | Role.Admin, (request, form) =>
        {
            work(request, id, form);
            return Results.Redirect($"/console/meetings/{Uri.EscapeDataString(id)}");
        })(http));

    private static DateTimeOffset ParseTime(string? text, string which) =>
        DateTimeOffset.TryParseExact(text?.Trim(), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw DomainException.Invalid($"The {which} time must look like 2026-11-24T14:30 (UTC).");

    private static string[] SplitNames(string? text) =>
        (text ?? "").Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static IResult List(ConsoleRequest request, string? error, int status = StatusCodes.Status200OK)
    {
        var meetings = request.Service<MeetingService>().ListVisible(request.Account);
        var directory = request.Service<RoomDirectory>();
        bool canCreate = request.Account.Holds(Role.Host | Role.Admin);
        var now = DateTimeOffset.UtcNow;
        var rows = meetings.Select(m =>
        {
            bool manages = request.Account.Holds(Role.Admin) || m.HostAccountId == request.Account.Id;
            string state = m.EndedAt is not null ? "ended" : m.Locked ? "locked" : m.IsOpenAt(now) ? "open" : m.EndsAt <= now ? "over" : "scheduled";
            var title = manages ? Html.Of($"<a href=\"/console/meetings/{m.Id}\">{m.Title}</a>") : Html.Of($"{m.Title}");
            return Html.Of($"""
                <tr><td>{title}</td><td>{m.StartsAt:yyyy-MM-dd HH:mm}</td><td>{m.EndsAt:yyyy-MM-dd HH:mm}</td><td>{state}</td>
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

    /// <summary>Who waits and who is inside, as one string: the page's script reloads when it changes.</summary>
    private static string LiveState(ConsoleRequest request, string meetingId) =>
        string.Join(',', request.Service<AdmissionService>().Lobby.Waiting(meetingId).Select(e => e.Id)) + "|" +
        string.Join(',', request.Service<RoomDirectory>().Participants(meetingId).Select(p => p.ParticipantId));

    private static IResult Details(ConsoleRequest request, string id, string? error, Html? notice, int status = StatusCodes.Status200OK)
    {
        var details = request.Service<MeetingService>().Details(request.Account, id);
        var meeting = details.Meeting;
        var lobby = request.Service<AdmissionService>().Lobby.Waiting(meeting.Id);
        var live = request.Service<RoomDirectory>().Participants(meeting.Id);
        Html Control(string action, string label, params (string Name, string Value)[] fields) => Html.Of($"""
            <form method="post" action="/console/meetings/{meeting.Id}/{action}" class="inline">{request.CsrfField}{fields.Select(f => Html.Of($"<input type=\"hidden\" name=\"{f.Name}\" value=\"{f.Value}\">"))}<button type="submit">{label}</button></form>
            """);
        var lobbyItems = lobby.Select(e => Html.Of($"""
            <li aria-label="Waiting: {e.Attendee.DisplayName}">{e.Attendee.DisplayName} <small>({(e.Attendee is GuestAttendee ? "guest" : "member")}, waiting since {e.Since:HH:mm:ss})</small>
              {Control("admit", $"Admit {e.Attendee.DisplayName}", ("entry", e.Id))}{Control("deny", $"Deny {e.Attendee.DisplayName}", ("entry", e.Id))}</li>
            """));
        var liveItems = live.Select(p => Html.Of($"""
            <li>{p.Attendee.DisplayName} {Html.When(!(p.Attendee is MemberAttendee { Account.Id: var hostId } && hostId == meeting.HostAccountId), Control("remove", $"Remove {p.Attendee.DisplayName}", ("attendee", p.Attendee.Key)))}</li>
            """));
        var invitationRows = details.Invitations.Select(i => Html.Of($"""
            <tr><td>{i.DisplayName}</td><td>{i.State.ToString().ToLowerInvariant()}</td><td>{i.ExpiresAt:yyyy-MM-dd HH:mm}</td><td>{(i.PasscodeHash is null ? "no" : "yes")}</td>
            <td>{Html.When(i.State is InvitationState.Issued or InvitationState.Redeemed, Control("revoke", $"Revoke {i.DisplayName}", ("invitation", i.Id)))}</td></tr>
            """));
        string state = meeting.EndedAt is not null ? $"ended at {meeting.EndedAt:yyyy-MM-dd HH:mm} UTC" : meeting.Locked ? "locked: nobody new may join" : "open";
        var controls = meeting.EndedAt is not null ? Html.Empty : Html.Of($"""
            <div role="group" aria-label="Meeting controls">{(meeting.Locked ? Control("unlock", "Unlock meeting") : Control("lock", "Lock meeting"))}{Control("end", "End meeting for all")}</div>
            """);
        return ConsoleLayout.Page(request, meeting.Title, Html.Of($"""
            {notice ?? Html.Empty}
            {ConsoleLayout.ErrorNote(error)}
            <p>{meeting.StartsAt:yyyy-MM-dd HH:mm}–{meeting.EndsAt:yyyy-MM-dd HH:mm} UTC · host {details.Host?.DisplayName} · {state} · {(meeting.LobbyForMembers ? "members wait in the lobby" : "members enter directly")}</p>
            <p>Join link for members: <a href="/m/{meeting.Id}">/m/{meeting.Id}</a></p>
            {controls}
            <section aria-label="Lobby" data-live-url="/console/meetings/{meeting.Id}/live" data-live-state="{LiveState(request, meeting.Id)}"><h2>Lobby ({lobby.Count})</h2><ul>{lobbyItems}</ul><p><a href="/console/meetings/{meeting.Id}">Refresh</a></p></section>
            <section aria-label="In the meeting"><h2>In the meeting ({live.Count})</h2><ul>{liveItems}</ul></section>
            <section aria-label="Roster"><h2>Roster</h2>
              <form method="post" action="/console/meetings/{meeting.Id}/roster" aria-label="Roster">
                {request.CsrfField}
                <label for="roster">Members (user names)</label>
                <textarea id="roster" name="roster" rows="3">{string.Join(", ", details.Roster.Select(a => a.UserName))}</textarea>
                <button type="submit">Save roster</button>
              </form>
            </section>
            <section aria-label="Guest invitations"><h2>Guest invitations</h2>
              <table aria-label="Invitations"><thead><tr><th scope="col">Guest</th><th scope="col">State</th><th scope="col">Expires (UTC)</th><th scope="col">Passcode</th><th scope="col"></th></tr></thead><tbody>{invitationRows}</tbody></table>
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
            """), status, watchLive: true);
    }
}
