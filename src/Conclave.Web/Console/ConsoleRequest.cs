using Conclave.Meetings.Accounts;
using Microsoft.AspNetCore.Http;

namespace Conclave.Web.Console;

/// <summary>
/// A console request from a logged-in account, for handlers behind
/// <see cref="ConsoleEndpointConventions.RequireConsoleRole"/>. Minimal APIs bind parameters before
/// endpoint filters run, so binding only wraps the request; the account, session and form are
/// read from what <see cref="ConsoleAccessFilter"/> admitted, by the time the handler runs.
/// </summary>
internal sealed class ConsoleRequest
{
    private sealed record Admission(Account Account, ConsoleSession Session, IFormCollection? Form);

    private ConsoleRequest(HttpContext http) => Http = http;

    public static ValueTask<ConsoleRequest?> BindAsync(HttpContext http) => ValueTask.FromResult<ConsoleRequest?>(new ConsoleRequest(http));

    /// <summary>Called by the filter once everything is checked.</summary>
    public static void Admit(HttpContext http, Account account, ConsoleSession session, IFormCollection? form) =>
        http.Features.Set(new Admission(account, session, form));

    public HttpContext Http { get; }

    public Account Account => Admitted.Account;

    public ConsoleSession Session => Admitted.Session;

    /// <summary>The posted form, its CSRF token checked.</summary>
    public IFormCollection Form => Admitted.Form ?? throw new InvalidOperationException($"{Http.Request.Method} {Http.Request.Path} has no form.");

    /// <summary>The hidden field every form of this session posts back (synchronizer token).</summary>
    public Html CsrfField => Html.Of($"<input type=\"hidden\" name=\"{ConsoleForms.CsrfFieldName}\" value=\"{Session.CsrfToken}\">");

    private Admission Admitted => Http.Features.Get<Admission>()
        ?? throw new InvalidOperationException($"{Http.Request.Path} is not behind RequireConsoleRole: nobody was admitted.");
}
