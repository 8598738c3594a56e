using System.Buffers.Binary;
using System.Net;
using BenchmarkDotNet.Attributes;
using Conclave.Media.Diagnostics;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Media.Sfu;
using Conclave.Media.Srtp;
using Conclave.Media.Tests.Sfu;
using Conclave.Media.Transport;

namespace Conclave.Media.Benchmarks;

/// <summary>
/// The steady-state relay path of one 1,100-byte video packet: SRTP unprotect → parse →
/// SFrame shape check → strip extensions → cache → SRTP protect and UDP send for each
/// subscriber. Every packet starts a frame, so every one has its SFrame header read.
/// Each invocation relays a batch of packets protected beforehand (a packet can be
/// unprotected only once: the replay window would refuse it the second time).
/// The loop sends what it held after every <see cref="PacketsPerFrame"/> packets, as it does
/// after each burst it receives: 1 sends each packet alone, 8 is a frame of a 1.5 Mbit/s camera
/// arriving in one burst, so each subscriber's eight packets go out in one segmented send.
/// </summary>
[MemoryDiagnoser]
public class RelayBenchmarks
{
    private const int BatchPackets = 4096;
    private const uint PublisherSsrc = 0x5EED0001;

    private SfuHarness _sfu = null!;
    private HarnessBrowser _publisher = null!;
    private IDatagramHandler _handler = null!;
    private readonly byte[][] _batch = new byte[BatchPackets][];
    private ushort _nextSequence;

    [Params(1, 3, 8)]
    public int Subscribers { get; set; }

    [Params(1, 8)]
    public int PacketsPerFrame { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Real UDP on loopback, so that each subscriber's send is a real sendto.
        _sfu = new SfuHarness(() => UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0)), deliveryWaitMs: 1000);
        _sfu.SetRoomEpoch("bench", SFramePayload.Epoch);
        _publisher = _sfu.Join("bench", video: (PublisherSsrc, PublisherSsrc + 1));
        for (int i = 0; i < Subscribers; i++) _sfu.Join("bench");
        _handler = _sfu.Plane;
        for (int i = 0; i < BatchPackets; i++) _batch[i] = new byte[1200];
    }

    [IterationSetup]
    public void ProtectBatch()
    {
        var rtp = new byte[1100];
        rtp[0] = 0x80;
        rtp[1] = SdpCodecs.Vp8PayloadType;
        BinaryPrimitives.WriteUInt32BigEndian(rtp.AsSpan(8), PublisherSsrc);
        for (int i = 0; i < BatchPackets; i++)
        {
            SFramePayload.WriteVideo(rtp.AsSpan(RtpHeader.FixedLength), SFramePayload.KeyId(SFramePayload.Epoch), _nextSequence);
            BinaryPrimitives.WriteUInt16BigEndian(rtp.AsSpan(2), _nextSequence++);
            if (_publisher.Outbound.ProtectRtp(rtp, _batch[i], out int written) != SrtpStatus.Ok || written != 1116)
            {
                throw new InvalidOperationException("protecting the batch failed");
            }
        }
    }

    [Benchmark(OperationsPerInvoke = BatchPackets)]
    [InvocationCount(1)]
    public void RelayOnePacket()
    {
        long now = _sfu.Clock.NowMs;
        for (int i = 0; i < BatchPackets; i++)
        {
            _handler.OnDatagram(_batch[i].AsSpan(0, 1116), _publisher.Address, now);
            if ((i + 1) % PacketsPerFrame == 0) _sfu.Plane.Loop.FlushMedia();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        long relayed = _publisher.Peer.ProducerOf(MediaSource.Camera)!.PacketsReceived;
        long notSFrame = _sfu.Plane.Drops[DropReason.NotSFrame];
        _sfu.Dispose();
        // A packet from an address the plane does not know, or not shaped as SFrame, is
        // only counted, which is fast and measures nothing.
        if (relayed < BatchPackets || notSFrame != 0) throw new InvalidOperationException($"only {relayed} packets were relayed; {notSFrame} were not SFrame");
    }
}
