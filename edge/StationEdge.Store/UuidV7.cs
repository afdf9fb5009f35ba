using System.Buffers.Binary;
using System.Security.Cryptography;

namespace StationEdge.Store;

/// <summary>
/// UUIDv7 (RFC 9562 §5.7) with a 12-bit counter in <c>rand_a</c> (§6.2 method 1), so ids made by this generator sort
/// in the order they were made, as text and as RFC byte order, even within one millisecond or after the clock steps
/// back. <see cref="Guid.CreateVersion7()"/> fills <c>rand_a</c> at random, so two of its ids in the same millisecond
/// sort in no particular order. Text: <see cref="Guid.ToString()"/> prints the RFC field order; bytes for the wire are
/// <c>ToByteArray(bigEndian: true)</c> (the default <c>ToByteArray()</c> swaps the first three fields).
/// </summary>
public sealed class UuidV7
{
    private const int CounterMax = 0xFFF;
    private readonly Lock _lock = new();
    private long _lastMs = -1;
    private int _counter;

    /// <summary>A new id stamped with <paramref name="at"/> (or just after the last id, when that is earlier).</summary>
    public Guid Next(DateTimeOffset at)
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        long ms;
        int counter;
        lock (_lock)
        {
            var now = at.ToUnixTimeMilliseconds();
            if (now > _lastMs)
            {
                _lastMs = now;
                // A random start in the lower half leaves room for 2048+ ids in the same millisecond.
                _counter = BinaryPrimitives.ReadUInt16BigEndian(bytes[6..]) & 0x7FF;
            }
            else if (++_counter > CounterMax)
            {
                _lastMs++;
                _counter = 0;
            }

            ms = _lastMs;
            counter = _counter;
        }

        BinaryPrimitives.WriteInt64BigEndian(bytes, ms << 16);
        bytes[6] = (byte)(0x70 | (counter >> 8));
        bytes[7] = (byte)counter;
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>Makes every later id sort after <paramref name="id"/> (the newest id already stored, at start-up).</summary>
    public void ContinueAfter(Guid id)
    {
        var ms = Timestamp(id).ToUnixTimeMilliseconds();
        lock (_lock)
        {
            if (ms >= _lastMs)
            {
                _lastMs = ms;
                _counter = CounterMax;
            }
        }
    }

    /// <summary>The millisecond a UUIDv7 carries.</summary>
    public static DateTimeOffset Timestamp(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(bytes) >>> 16);
    }
}
