using Conclave.Meetings.Accounts;

namespace Conclave.Meetings.Tests.Accounts;

public sealed class TotpEnrolmentQrTests
{
    private const string DataUriPrefix = "data:image/png;base64,";

    [Fact]
    public void The_QR_code_is_a_PNG_data_uri()
    {
        var uri = TotpEnrolmentQr.PngDataUri(TotpAuthenticator.ProvisioningUri("Conclave", "alice", TotpAuthenticator.NewSecret()));

        Assert.StartsWith(DataUriPrefix, uri);
        var png = Convert.FromBase64String(uri[DataUriPrefix.Length..]);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
    }

    [Fact]
    public void The_provisioning_uri_escapes_the_label_and_names_the_parameters()
    {
        var secret = "12345678901234567890"u8.ToArray();

        var uri = TotpAuthenticator.ProvisioningUri("Conclave Room 2", "Alice Smith:admin", secret);

        Assert.Equal(
            "otpauth://totp/Conclave%20Room%202:Alice%20Smith%3Aadmin"
            + "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Conclave%20Room%202&algorithm=SHA1&digits=6&period=30",
            uri);
    }
}
