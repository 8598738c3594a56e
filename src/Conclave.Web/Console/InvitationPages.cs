using Conclave.Meetings;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Scheduling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Conclave.Web.Console;

/// <summary>
/// /i/{token}: a guest opens the link, enters the passcode if there is one, and gets a
/// guest pass cookie for the meeting; the link then stops working (one-time).
/// </summary>
internal static class InvitationPages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/i/{token}", (HttpContext http, string token, MeetingService meetings) =>
            Form(http, token, meetings.Open(token, RequestSource.Of(http)), null)).AddEndpointFilter<DomainErrorFilter>();
        app.MapPost("/i/{token}", async (HttpContext http, string token, MeetingService meetings, IAuditTrail audit) =>
        {
            var (form, refusal) = await AnonymousForms.ReadAsync(http, audit, "/i/…");
            if (form is null) return refusal!;
            try
            {
                var redeemed = meetings.Redeem(token, form["passcode"], RequestSource.Of(http));
                var lifetime = redeemed.GuestPassEndsAt - DateTimeOffset.UtcNow;
                http.Response.Cookies.Append(ConsoleCookies.Guest, redeemed.GuestPass, ConsoleCookies.Options(lifetime > TimeSpan.FromDays(1) ? lifetime : TimeSpan.FromDays(1)));
                return Results.Redirect($"/m/{redeemed.Invitation.MeetingId}");
            }
            catch (DomainException e) when (e.Kind == DomainErrorKind.Invalid)
            {
                // A wrong passcode with tries left: the form again. A concurrent last try may
                // have revoked the invitation since this one was counted; this try still gets
                // its own answer, without the form.
                try
                {
                    return Form(http, token, meetings.Open(token, RequestSource.Of(http)), e.Message, StatusCodes.Status400BadRequest);
                }
                catch (DomainException)
                {
                    return ConsoleLayout.Message(StatusCodes.Status400BadRequest, "Invitation", e.Message);
                }
            }
            catch (DomainException e)
            {
                return ConsoleLayout.Message(DomainErrorFilter.StatusOf(e.Kind), "Invitation", e.Message);
            }
        });
    }

    private static IResult Form(HttpContext http, string token, Invitation invitation, string? error, int status = StatusCodes.Status200OK) =>
        ConsoleLayout.Bare("You are invited", Html.Of($"""
            <p>This invitation is for <strong>{invitation.DisplayName}</strong> and can be used once, until {invitation.ExpiresAt:yyyy-MM-dd HH:mm} UTC.
            After you continue, you wait in the lobby until the host lets you in.</p>
            {ConsoleLayout.ErrorNote(error)}
            <form method="post" action="/i/{token}" aria-label="Accept the invitation">
              {AnonymousForms.Field(http)}
              {Html.When(invitation.PasscodeHash is not null, Html.Of($"""
                <label for="passcode">Passcode</label>
                <input id="passcode" name="passcode" required autocomplete="off" maxlength="{Validation.MaxPasscodeLength}">
                """))}
              <button type="submit">Continue to the meeting</button>
            </form>
            """), status);
}
