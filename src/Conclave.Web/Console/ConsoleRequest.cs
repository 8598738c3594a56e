using Conclave.Meetings.Accounts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Conclave.Web.Console;

/// <summary>A console request from a logged-in account, after the gate let it through.</summary>
public sealed class ConsoleRequest(HttpContext http, Account account, ConsoleSession session)
{
    public HttpContext Http { get; } = http;
    public Account Account { get; } = account;
    public ConsoleSession Session { get; } = session;

    /// <summary>The hidden field every form of this session posts back (synchronizer token).</summary>
    public Html CsrfField => Html.Of($"<input type=\"hidden\" name=\"{ConsoleGate.CsrfFieldName}\" value=\"{Session.CsrfToken}\">");

    public T Service<T>() where T : notnull => Http.RequestServices.GetRequiredService<T>();

    public string Source => ConsoleGate.SourceOf(Http);
}
