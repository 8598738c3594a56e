using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Conclave.Media.Dtls;
using Conclave.Media.Sdp;
using Conclave.Media.Sfu;
using Conclave.Media.Srtp;
using Conclave.Media.Stun;
using Conclave.Media.Transport;

namespace Conclave.Media.Tests.Sfu;

/// <summary>
/// A media plane driven from the calling thread (its loop never starts), with
/// "browsers" that are a UDP socket and the SRTP contexts a browser would hold.
/// ICE runs for real (a signed Binding request); the DTLS handshake is replaced by
/// handing both sides the same random keys.
/// </summary>
internal sealed class SfuHarness : IDisposable
{
    private readonly List<HarnessBrowser> _browsers = new();

    public SfuHarness()
    {
        Plane = new MediaPlane(new MediaPlaneOptions { ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
    }

    public MediaPlane Plane { get; }

    private IDatagramHandler Handler => Plane;

    public HarnessBrowser Join(string room)
    {
        var sink = new RecordingSignalSink();
        var peer = Plane.Join(room, sink);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.ReceiveTimeout = 1000;
        var address = socket.LocalEndPoint!.Serialize();

        var request = BindingRequest($"{peer.Ice.Local.Ufrag}:browser", peer.Ice.Local.Password, useCandidate: true);
        Deliver(request, address);

        var profile = SrtpProfile.AeadAes128Gcm;
        byte[] clientKey = RandomNumberGenerator.GetBytes(16), clientSalt = RandomNumberGenerator.GetBytes(12);
        byte[] serverKey = RandomNumberGenerator.GetBytes(16), serverSalt = RandomNumberGenerator.GetBytes(12);
        peer.OnDtlsConnected(new DtlsSrtpKeys((ushort)profile, clientKey, clientSalt, serverKey, serverSalt));
        var browser = new HarnessBrowser(peer, sink, socket, address,
            new SrtpContext(profile, clientKey, clientSalt), new SrtpContext(profile, serverKey, serverSalt));
        _browsers.Add(browser);
        browser.DrainSocket(); // the Binding response
        return browser;
    }

    /// <summary>What the browser's answer would do: publish, and every consumer accepted.</summary>
    public void Publish(HarnessBrowser browser, MediaKind kind, uint ssrc, uint rtxSsrc)
    {
        browser.Peer.Publish(kind, ssrc, rtxSsrc);
        foreach (var other in _browsers)
        {
            foreach (var consumer in other.Peer.Consumers) consumer.IsActive = true;
        }
    }

    /// <summary>The browser protects <paramref name="rtp"/> and sends it to the appliance.</summary>
    public void SendRtp(HarnessBrowser from, ReadOnlySpan<byte> rtp)
    {
        var buffer = new byte[2048];
        Ensure(from.Outbound.ProtectRtp(rtp, buffer, out int written));
        Deliver(buffer.AsSpan(0, written), from.Address);
    }

    public void SendRtcp(HarnessBrowser from, ReadOnlySpan<byte> rtcp)
    {
        var buffer = new byte[2048];
        Ensure(from.Outbound.ProtectRtcp(rtcp, buffer, out int written));
        Deliver(buffer.AsSpan(0, written), from.Address);
    }

    /// <summary>Hands a datagram to the plane as its loop would.</summary>
    public void Deliver(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        var copy = datagram.ToArray();
        Handler.OnDatagram(copy, from, MediaEventLoop.NowMs);
    }

    public void Tick(long nowMs) => Handler.OnTick(nowMs);

    public static byte[] BindingRequest(string username, string password, bool useCandidate)
    {
        var buffer = new byte[512];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, RandomNumberGenerator.GetBytes(12));
        writer.WriteAttribute(StunAttributeType.Username, Encoding.UTF8.GetBytes(username));
        writer.WriteAttribute(StunAttributeType.Priority, [0x6E, 0x7F, 0x1E, 0xFF]);
        writer.WriteAttribute(StunAttributeType.IceControlling, RandomNumberGenerator.GetBytes(8));
        if (useCandidate) writer.WriteAttribute(StunAttributeType.UseCandidate, []);
        writer.WriteMessageIntegrity(Encoding.UTF8.GetBytes(password));
        writer.WriteFingerprint();
        return buffer.AsSpan(0, writer.Length).ToArray();
    }

    /// <summary>The harness is shared with bench/, which has no xunit: fail with a plain exception.</summary>
    internal static void Ensure(SrtpStatus status)
    {
        if (status != SrtpStatus.Ok) throw new InvalidOperationException($"SRTP in the harness failed: {status}");
    }

    public void Dispose()
    {
        foreach (var browser in _browsers) browser.Dispose();
        Plane.Dispose();
    }
}

internal sealed class HarnessBrowser(Peer peer, RecordingSignalSink sink, Socket socket, SocketAddress address, SrtpContext outbound, SrtpContext inbound) : IDisposable
{
    public Peer Peer { get; } = peer;
    public RecordingSignalSink Signals { get; } = sink;
    public Socket Socket { get; } = socket;
    public SocketAddress Address { get; } = address;

    /// <summary>Protects what this browser sends (the DTLS client's write key).</summary>
    public SrtpContext Outbound { get; } = outbound;

    /// <summary>Unprotects what the appliance sends to this browser.</summary>
    public SrtpContext Inbound { get; } = inbound;

    /// <summary>The next datagram the appliance sent here, decrypted; null if none within the timeout.</summary>
    public byte[]? ReceiveRtp() => Receive(rtcp: false);

    public byte[]? ReceiveRtcp() => Receive(rtcp: true);

    private byte[]? Receive(bool rtcp)
    {
        var buffer = new byte[2048];
        while (true)
        {
            int received;
            try { received = Socket.Receive(buffer); }
            catch (SocketException) { return null; }
            var kind = DatagramClassifier.Classify(buffer.AsSpan(0, received));
            if (kind != (rtcp ? DatagramKind.Rtcp : DatagramKind.Rtp)) continue;
            var plain = new byte[2048];
            var status = rtcp
                ? Inbound.UnprotectRtcp(buffer.AsSpan(0, received), plain, out int written)
                : Inbound.UnprotectRtp(buffer.AsSpan(0, received), plain, out written);
            SfuHarness.Ensure(status);
            return plain.AsSpan(0, written).ToArray();
        }
    }

    public void DrainSocket()
    {
        var buffer = new byte[2048];
        while (Socket.Available > 0) Socket.Receive(buffer);
    }

    public void Dispose()
    {
        Socket.Dispose();
        Outbound.Dispose();
        Inbound.Dispose();
    }
}

internal sealed class RecordingSignalSink : IPeerSignalSink
{
    public List<PeerOffer> Offers { get; } = new();
    public List<string> Closed { get; } = new();

    public void SendOffer(PeerOffer offer) => Offers.Add(offer);

    public void OnMediaClosed(string reason) => Closed.Add(reason);
}
