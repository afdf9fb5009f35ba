using System.Buffers.Binary;
using System.Text;

namespace StationEdge.ModelTools.TfLite;

/// <summary>
/// Read access to one flatbuffer table. Every offset is checked against the buffer, so a truncated or
/// corrupt file ends in a <see cref="TfLiteFormatException"/> instead of an index exception deep inside.
/// </summary>
internal readonly struct FlatBufferTable
{
    private readonly byte[] _data;
    private readonly int _position;
    private readonly int _vtable;
    private readonly int _vtableSize;

    public FlatBufferTable(byte[] data, int position)
    {
        _data = data;
        _position = position;
        Check(data, position, 4);
        _vtable = checked(position - BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(position)));
        Check(data, _vtable, 4);
        _vtableSize = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(_vtable));
        Check(data, _vtable, _vtableSize);
    }

    public static FlatBufferTable Root(byte[] data)
    {
        Check(data, 0, 4);
        return new FlatBufferTable(data, checked((int)BinaryPrimitives.ReadUInt32LittleEndian(data)));
    }

    /// <summary>Absolute position of field <paramref name="field"/>, or -1 when the field is absent (default value).</summary>
    private int FieldPosition(int field)
    {
        int slot = 4 + (2 * field);
        if (slot + 2 > _vtableSize)
        {
            return -1;
        }

        int offset = BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(_vtable + slot));
        return offset == 0 ? -1 : _position + offset;
    }

    public bool Has(int field) => FieldPosition(field) >= 0;

    public byte GetByte(int field, byte defaultValue = 0)
    {
        int p = FieldPosition(field);
        if (p < 0)
        {
            return defaultValue;
        }

        Check(_data, p, 1);
        return _data[p];
    }

    public sbyte GetSByte(int field, sbyte defaultValue = 0) => unchecked((sbyte)GetByte(field, unchecked((byte)defaultValue)));

    public bool GetBool(int field, bool defaultValue = false) => GetByte(field, defaultValue ? (byte)1 : (byte)0) != 0;

    public int GetInt32(int field, int defaultValue = 0)
    {
        int p = FieldPosition(field);
        if (p < 0)
        {
            return defaultValue;
        }

        Check(_data, p, 4);
        return BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan(p));
    }

    public uint GetUInt32(int field, uint defaultValue = 0) => unchecked((uint)GetInt32(field, unchecked((int)defaultValue)));

    public ulong GetUInt64(int field, ulong defaultValue = 0)
    {
        int p = FieldPosition(field);
        if (p < 0)
        {
            return defaultValue;
        }

        Check(_data, p, 8);
        return BinaryPrimitives.ReadUInt64LittleEndian(_data.AsSpan(p));
    }

    public float GetFloat(int field, float defaultValue = 0f)
    {
        int p = FieldPosition(field);
        if (p < 0)
        {
            return defaultValue;
        }

        Check(_data, p, 4);
        return BinaryPrimitives.ReadSingleLittleEndian(_data.AsSpan(p));
    }

    public FlatBufferTable? GetTable(int field)
    {
        int target = Indirect(FieldPosition(field));
        return target < 0 ? null : new FlatBufferTable(_data, target);
    }

    public string? GetString(int field)
    {
        var (start, length) = Vector(field, 1);
        return start < 0 ? null : Encoding.UTF8.GetString(_data, start, length);
    }

    public int[] GetInt32Vector(int field)
    {
        var (start, length) = Vector(field, 4);
        if (start < 0)
        {
            return [];
        }

        var result = new int[length];
        for (int i = 0; i < length; i++)
        {
            result[i] = BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan(start + (4 * i)));
        }

        return result;
    }

    public ReadOnlyMemory<byte> GetByteVector(int field)
    {
        var (start, length) = Vector(field, 1);
        return start < 0 ? ReadOnlyMemory<byte>.Empty : _data.AsMemory(start, length);
    }

    public IReadOnlyList<FlatBufferTable> GetTableVector(int field)
    {
        var (start, length) = Vector(field, 4);
        if (start < 0)
        {
            return [];
        }

        var result = new FlatBufferTable[length];
        for (int i = 0; i < length; i++)
        {
            result[i] = new FlatBufferTable(_data, Indirect(start + (4 * i)));
        }

        return result;
    }

    /// <summary>Start of the elements and their count for a vector field; start is -1 when absent.</summary>
    private (int Start, int Length) Vector(int field, int elementSize)
    {
        int target = Indirect(FieldPosition(field));
        if (target < 0)
        {
            return (-1, 0);
        }

        Check(_data, target, 4);
        long length = BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(target));
        if (length * elementSize > _data.Length - target - 4L)
        {
            throw new TfLiteFormatException($"TFLite flatbuffer is corrupt: a vector at byte {target} claims {length} elements, past the end of the file");
        }

        return (target + 4, (int)length);
    }

    private int Indirect(int position)
    {
        if (position < 0)
        {
            return -1;
        }

        Check(_data, position, 4);
        long target = position + (long)BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(position));
        if (target >= _data.Length)
        {
            throw new TfLiteFormatException($"TFLite flatbuffer is corrupt: offset at byte {position} points past the end of the file");
        }

        return (int)target;
    }

    private static void Check(byte[] data, long position, long length)
    {
        if (position < 0 || position + length > data.Length)
        {
            throw new TfLiteFormatException($"TFLite flatbuffer is truncated or corrupt: needs bytes {position}..{position + length} of {data.Length}");
        }
    }
}
