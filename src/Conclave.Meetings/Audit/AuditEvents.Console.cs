using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Audit;

public static partial class AuditEvents
{
    /// <param name="path">The request's path, untrusted.</param>
    /// <param name="cookieRefused">A session cookie came and was forged, altered or expired.</param>
    public static void ConsoleNotLoggedIn(this IAuditTrail audit, string source, string path, bool cookieRefused) =>
        audit.Record(AuditActor.Anonymous(source), AuditAction.ConsoleAccess, AuditObject.RequestPath(path),
            AuditOutcome.Refused(cookieRefused ? "invalid or expired session cookie" : "not logged in"));

    public static void ConsoleEnrolmentRequired(this IAuditTrail audit, Account account, string path) =>
        audit.Record(AuditActor.User(account), AuditAction.ConsoleAccess, AuditObject.RequestPath(path), AuditOutcome.Refused("TOTP enrolment required first"));

    /// <param name="anyOf">The roles the page needs, one of which the account lacks.</param>
    public static void ConsoleRoleRefused(this IAuditTrail audit, Account account, string path, Role anyOf) =>
        audit.Record(AuditActor.User(account), AuditAction.ConsoleAccess, AuditObject.RequestPath(path), AuditOutcome.Refused($"needs role {Roles.Describe(anyOf)}"));

    /// <summary>A form without the CSRF token of the session (logged in) or of the form cookie (before login).</summary>
    /// <param name="path">As the log may show it: an invitation's path holds its secret token, so not that one.</param>
    public static void ConsoleFormRefused(this IAuditTrail audit, AuditActor actor, string path) =>
        audit.Record(actor, AuditAction.ConsoleForm, AuditObject.RequestPath(path), AuditOutcome.Refused("missing or wrong CSRF token"));

    public static void SignallingRefused(this IAuditTrail audit, string source) =>
        audit.Record(AuditActor.Anonymous(source), AuditAction.SignallingConnect, AuditObject.SignallingEndpoint, AuditOutcome.Refused("not logged in and no guest pass"));
}
