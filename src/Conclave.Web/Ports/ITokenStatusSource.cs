namespace Conclave.Web.Ports;

/// <summary>The port the daemon implements over its token, for the console's Token page.</summary>
public interface ITokenStatusSource
{
    TokenStatus Read();

    /// <summary>The credential CA's certificate (PEM) for browsers to trust, or null when the token cannot give it.</summary>
    string? CredentialCaPem();
}
