using Conclave.Meetings.Accounts;
using Microsoft.AspNetCore.Http;

namespace Conclave.Web.Console;

/// <summary>A console request from a logged-in account, after the gate let it through.</summary>
public sealed class ConsoleRequest(HttpContext http, Account account, ConsoleSession session)
{
    public HttpContext Http { get; } = http;
    public Account Account { get; } = account;
    public ConsoleSession Session { get; } = session;

    /// <summary>The hidden field every form of this session posts back (synchronizer token).</summary>
    public Html CsrfField => Html.Of($"<input type=\"hidden\" name=\"{ConsoleGate.CsrfFieldName}\" value=\"{Session.CsrfToken}\">");

    public T Service<T>() where T : notnull => Http.RequestServices.GetRequiredServiceOf<T>();

    public string Source => ConsoleGate.SourceOf(Http);
}

internal static class ServiceProviderExtensions
{
    public static T GetRequiredServiceOf<T>(this IServiceProvider services) where T : notnull =>
        (T)(services.GetService(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered"));
}
