using Conclave.Media.Dtls;

namespace Conclave.Media.Tests.Dtls;

/// <summary>
/// GStreamer 1.22's webrtcbin (dtlsenc on OpenSSL 3.0, Debian 12) asks its BIO for the path
/// MTU, gets 0, and falls back to OpenSSL's minimum: its 277-byte ClientHello leaves in two
/// records in two datagrams, 255 and 72 bytes (RFC 6347 §4.2.3 fragments, offsets 0 and 230).
/// The cookie exchange (RFC 6347 §4.2.1) must answer it as it answers an unfragmented one.
/// The datagrams are a capture of dtlsenc's first flight (is-client=true, use_srtp offering
/// SRTP_AES128_CM_SHA1_80 only).
/// </summary>
public sealed class FragmentedClientHelloTests
{
    private const string FirstFragment =
        "16feff000000000000000000f20100011500000000000000e6fefde8aa375925b4353d126a59e3be7ca53454060452e6b21d613b7824fcd3" +
        "ad4c2f00000090c02cc03000a3009fcca9cca8ccaac0afc0adc0a3c09fc05dc061c057c053c024c028006b006ac073c07700c400c3c00ac0" +
        "140039003800880087009dc0a1c09dc051003d00c000350084c02bc02f00a2009ec0aec0acc0a2c09ec05cc060c056c052c023c027006700" +
        "40c072c07600be00bdc009c0130033003200450044009cc0a0c09cc050003c00ba002f004100ff0100005b000b000403000102000a000c00" +
        "0a001d0017001e0019001800230000000e0005000200010000160000001700";

    private const string SecondFragment =
        "16feff0000000000000001003b0100011500000000e600002f00000d002a0028040305030603080708080809080a080b0804080508060401" +
        "05010601030303010302040205020602";

    private const byte HandshakeContentType = 22;
    private const byte HelloVerifyRequestType = 3;

    [Fact]
    public void The_captured_datagrams_are_two_fragments_of_one_277_byte_client_hello()
    {
        Assert.Equal(255, Convert.FromHexString(FirstFragment).Length);
        Assert.Equal(72, Convert.FromHexString(SecondFragment).Length);
        var assembler = new ClientHelloAssembler();
        Assert.False(assembler.TryAdd(Convert.FromHexString(FirstFragment), out _));
        Assert.True(assembler.TryAdd(Convert.FromHexString(SecondFragment), out var record));
        // record header 13, handshake header 12, body 277; one fragment from offset 0 (RFC 6347 §4.2.2).
        Assert.Equal(13 + 12 + 277, record!.Length);
        Assert.Equal([0x01, 0x00, 0x01, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x15], record.AsSpan(13, 12).ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Webrtcbins_client_hello_in_two_fragments_is_answered_with_a_hello_verify_request(bool secondFragmentFirst)
    {
        using var certificate = DtlsCertificate.CreateSelfSigned();
        var sent = new List<byte[]>();
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var session = new DtlsServerSession(certificate, datagram =>
        {
            lock (sent) sent.Add(datagram.ToArray());
            answered.TrySetResult();
        }, [127, 0, 0, 1]);
        session.Start();

        string[] order = secondFragmentFirst ? [SecondFragment, FirstFragment] : [FirstFragment, SecondFragment];
        foreach (string fragment in order) Assert.True(session.TryEnqueueDatagram(Convert.FromHexString(fragment)));
        await answered.Task.WaitAsync(TimeSpan.FromSeconds(5));

        byte[] reply;
        lock (sent) reply = sent[0];
        Assert.Equal(HandshakeContentType, reply[0]);
        Assert.Equal(HelloVerifyRequestType, reply[13]);
        // The record sequence number echoes the ClientHello's last record (RFC 6347 §4.2.1).
        Assert.Equal(secondFragmentFirst ? 0 : 1, reply[10]);
        Assert.Equal(DtlsSessionState.Handshaking, session.State);
    }

    [Fact]
    public async Task A_retransmitted_client_hello_completes_one_whose_first_fragment_was_lost()
    {
        using var certificate = DtlsCertificate.CreateSelfSigned();
        var answered = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var session = new DtlsServerSession(certificate, datagram => answered.TrySetResult(datagram.ToArray()), [127, 0, 0, 1]);
        session.Start();

        // The first transmission lost its first datagram; OpenSSL resends both a second later (RFC 6347 §4.2.4).
        session.TryEnqueueDatagram(Convert.FromHexString(SecondFragment));
        await Task.Delay(100);
        Assert.False(answered.Task.IsCompleted, "half a ClientHello is not answered");
        session.TryEnqueueDatagram(Convert.FromHexString(FirstFragment));
        session.TryEnqueueDatagram(Convert.FromHexString(SecondFragment));

        var reply = await answered.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(HelloVerifyRequestType, reply[13]);
    }
}
