using Microsoft.AspNetCore.Http;

namespace Conclave.Web;

/// <summary>Where a request comes from, as audit records name it (docs/audit-log.md: <c>anonymous@&lt;source&gt;</c>).</summary>
internal static class RequestSource
{
    public static string Of(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
