using System.Security.Cryptography;
using Conclave.Media.Dtls;

namespace Conclave.Media.Tests.Dtls;

/// <summary>Garbage aimed at the handshake: no keys, no crash, and a bounded queue.</summary>
public sealed class DtlsBadInputTests
{
    [Fact]
    public async Task Random_and_truncated_records_produce_no_keys_and_no_crash()
    {
        using var certificate = DtlsCertificate.CreateSelfSigned();
        var sent = new List<byte[]>();
        using var session = new DtlsServerSession(certificate, d => { lock (sent) sent.Add(d.ToArray()); }, [127, 0, 0, 1]);
        bool completed = false;
        session.HandshakeCompleted += _ => completed = true;
        session.Start();

        var random = new Random(6347);
        for (int i = 0; i < 50; i++)
        {
            var datagram = new byte[random.Next(1, 300)];
            random.NextBytes(datagram);
            datagram[0] = (byte)(20 + random.Next(44)); // inside the DTLS range of RFC 7983
            session.TryEnqueueDatagram(datagram);
        }
        // A ClientHello record header promising more than it carries.
        session.TryEnqueueDatagram(Convert.FromHexString("16fefd000000000000000000ff010000f3000000000000f3"));
        // A well-formed ClientHello fragment with a bogus cookie-less body.
        var fake = new byte[13 + 12 + 40];
        fake[0] = 22; fake[1] = 0xFE; fake[2] = 0xFD; fake[12] = 52;
        fake[13] = 1; fake[16] = 40; fake[24] = 40;
        RandomNumberGenerator.Fill(fake.AsSpan(25));
        session.TryEnqueueDatagram(fake);
        await Task.Delay(500);

        Assert.False(completed);
        Assert.Equal(DtlsSessionState.Handshaking, session.State);
        session.Dispose();
        Assert.False(session.TryEnqueueDatagram([22, 0xFE, 0xFD]), "a disposed session takes nothing");
    }

    [Fact]
    public void A_flood_is_bounded_by_the_queue()
    {
        using var certificate = DtlsCertificate.CreateSelfSigned();
        using var session = new DtlsServerSession(certificate, _ => { }, [127, 0, 0, 1]);
        // Not started: nothing drains the queue, so the 65th datagram is refused.
        int accepted = 0;
        for (int i = 0; i < 100; i++) if (session.TryEnqueueDatagram([22, 0xFE, 0xFD, 0, 0])) accepted++;
        Assert.Equal(64, accepted);
    }

    [Fact]
    public void The_certificate_fingerprint_is_the_sha256_of_its_der_form_RFC_8122()
    {
        using var certificate = DtlsCertificate.CreateSelfSigned();
        var der = certificate.Certificate.GetEncoded();
        string expected = string.Join(':', SHA256.HashData(der).Select(b => b.ToString("X2")));
        Assert.Equal(expected, certificate.Sha256Fingerprint);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", certificate.Sha256Fingerprint);
    }
}
