using System.Net;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Audit;

public static partial class AuditEvents
{
    public static void DaemonStarted(this IAuditTrail audit, EndPoint https, EndPoint media) =>
        audit.Record(AuditActor.Daemon, AuditAction.DaemonStart, AuditObject.Described($"https {https}, media udp {media}"), AuditOutcome.Ok);

    public static void DaemonStopped(this IAuditTrail audit) =>
        audit.Record(AuditActor.Daemon, AuditAction.DaemonStop, AuditObject.Described("shutdown"), AuditOutcome.Ok);

    public static void TokenOpened(this IAuditTrail audit, string tokenLabel, string modulePath) =>
        audit.Record(AuditActor.Daemon, AuditAction.TokenOpen, AuditObject.Described($"{tokenLabel} via {modulePath}"), AuditOutcome.Ok);

    /// <summary>The token's key <paramref name="keyRole"/> serves HTTPS behind this certificate.</summary>
    public static void HttpsKeyUsed(this IAuditTrail audit, string keyRole, string certificateThumbprint, DateTime certificateNotAfter) =>
        audit.Record(AuditActor.Daemon, AuditAction.KeyUse,
            AuditObject.Described($"{keyRole}: HTTPS certificate {certificateThumbprint}, valid to {certificateNotAfter:yyyy-MM-dd}"), AuditOutcome.Ok);
}
