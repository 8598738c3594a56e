namespace Conclave.Web.Recording;

/// <summary>What recording needs from the appliance's configuration and token.</summary>
/// <param name="EscrowKeys">
/// SubjectPublicKeyInfo (DER) of each compliance escrow key registered on the appliance token
/// (conclavectl compliance register); empty: nothing can be recorded.
/// </param>
public sealed record RecordingOptions(IReadOnlyList<byte[]> EscrowKeys)
{
    /// <summary>An escrow blob in base64: a roster of about 130 members still fits (docs/recording.md).</summary>
    public const int MaxEscrowBlobChars = 48 * 1024;
}
