using QRCoder;

namespace Conclave.Meetings.Accounts;

/// <summary>The enrolment page's QR code of a TOTP provisioning URI, as an inline PNG (no System.Drawing).</summary>
public static class TotpEnrolmentQr
{
    /// <summary>Large enough for a phone camera to read from a screen without scaling blur.</summary>
    private const int PixelsPerModule = 8;

    /// <summary>An RFC 2397 data URI, so the page embeds the image without serving the secret at a URL.</summary>
    public static string PngDataUri(string provisioningUri)
    {
        ArgumentException.ThrowIfNullOrEmpty(provisioningUri);
        using var generator = new QRCodeGenerator();
        // ECC level M restores up to 15% of the symbol: enough for a screen, and keeps the code small.
        using var data = generator.CreateQrCode(provisioningUri, QRCodeGenerator.ECCLevel.M);
        using var png = new PngByteQRCode(data);
        return "data:image/png;base64," + Convert.ToBase64String(png.GetGraphic(PixelsPerModule));
    }
}
