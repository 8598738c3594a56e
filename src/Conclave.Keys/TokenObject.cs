namespace Conclave.Keys;

/// <summary>One object on a token: its class (PKCS#11's name, such as CKO_PRIVATE_KEY), its label, and whether it is private (seen only after login).</summary>
public sealed record TokenObject(string Class, string Label, bool Private);
