using System.Buffers.Binary;
using System.Text;

namespace StationEdge.ModelTools.Tests.Support;

/// <summary>
/// A flatbuffer table under construction: scalar fields are stored inline, references (tables, vectors, strings)
/// are written after their parent and patched in, so every offset points forward as the format requires.
/// </summary>
internal sealed class FbTable
{
    private readonly SortedDictionary<int, object> _fields = [];

    public FbTable Byte(int field, byte value) => Set(field, value);

    public FbTable Int(int field, int value) => Set(field, value);

    public FbTable UInt(int field, uint value) => Set(field, value);

    public FbTable Float(int field, float value) => Set(field, value);

    public FbTable Table(int field, FbTable value) => Set(field, value);

    public FbTable String(int field, string value) => Set(field, Encoding.UTF8.GetBytes(value + "\0"));

    public FbTable Ints(int field, params int[] values) => Set(field, values);

    public FbTable Bytes(int field, byte[] values) => Set(field, new ByteVector(values));

    public FbTable Tables(int field, IEnumerable<FbTable> values) => Set(field, values.ToArray());

    private FbTable Set(int field, object value)
    {
        _fields[field] = value;
        return this;
    }

    /// <summary>Serialises with this table as root and the given 4-byte file identifier.</summary>
    public byte[] Finish(string identifier)
    {
        var w = new Writer();
        w.Bytes(new byte[4]);
        w.Bytes(Encoding.ASCII.GetBytes(identifier));
        int root = w.Table(this);
        w.PatchOffset(0, root);
        return w.ToArray();
    }

    private sealed record ByteVector(byte[] Data);

    private sealed class Writer
    {
        private readonly List<byte> _bytes = [];

        public byte[] ToArray() => [.. _bytes];

        public void Bytes(ReadOnlySpan<byte> data) => _bytes.AddRange(data.ToArray());

        public void PatchOffset(int at, int target)
        {
            // The root offset and every reference field count from their own position.
            var span = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)(target - at));
            for (int i = 0; i < 4; i++)
            {
                _bytes[at + i] = span[i];
            }
        }

        private void Align(int n)
        {
            while (_bytes.Count % n != 0)
            {
                _bytes.Add(0);
            }
        }

        private void U32(uint v)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            _bytes.AddRange(b);
        }

        public int Table(FbTable table)
        {
            int maxField = table._fields.Count == 0 ? -1 : table._fields.Keys.Max();
            int inlineSize = 4 + (table._fields.Count * 4);
            int vtableSize = 4 + (2 * (maxField + 1));

            // vtable, then the table right after it; every inline field takes 4 bytes here, enough for all used types.
            Align(2);
            int vtable = _bytes.Count;
            var vt = new byte[vtableSize];
            BinaryPrimitives.WriteUInt16LittleEndian(vt, (ushort)vtableSize);
            BinaryPrimitives.WriteUInt16LittleEndian(vt.AsSpan(2), (ushort)inlineSize);
            int slot = 4;
            foreach (int field in table._fields.Keys)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(vt.AsSpan(4 + (2 * field)), (ushort)slot);
                slot += 4;
            }

            int pad = (4 - ((vtable + vtableSize) % 4)) % 4;
            if (pad != 0)
            {
                // Shift the vtable so the table that follows starts 4-aligned.
                _bytes.AddRange(new byte[pad]);
                vtable += pad;
            }

            Bytes(vt);
            int start = _bytes.Count;
            U32((uint)(start - vtable));
            var references = new List<(int At, object Value)>();
            foreach (var (_, value) in table._fields)
            {
                int at = _bytes.Count;
                switch (value)
                {
                    case byte b:
                        _bytes.AddRange([b, 0, 0, 0]);
                        break;
                    case int i:
                        U32(unchecked((uint)i));
                        break;
                    case uint u:
                        U32(u);
                        break;
                    case float f:
                        U32(BitConverter.SingleToUInt32Bits(f));
                        break;
                    default:
                        U32(0);
                        references.Add((at, value));
                        break;
                }
            }

            foreach (var (at, value) in references)
            {
                PatchOffset(at, Reference(value));
            }

            return start;
        }

        private int Reference(object value)
        {
            Align(4);
            int start = _bytes.Count;
            switch (value)
            {
                case FbTable t:
                    return Table(t);
                case byte[] s:
                    U32((uint)(s.Length - 1));
                    Bytes(s);
                    return start;
                case int[] ints:
                    U32((uint)ints.Length);
                    foreach (int i in ints)
                    {
                        U32(unchecked((uint)i));
                    }

                    return start;
                case ByteVector v:
                    // Pad so the data itself (after the length) lands 16-aligned, like TFLite writers do for buffers.
                    while ((_bytes.Count + 4) % 16 != 0)
                    {
                        _bytes.Add(0);
                    }

                    start = _bytes.Count;
                    U32((uint)v.Data.Length);
                    Bytes(v.Data);
                    return start;
                case FbTable[] tables:
                    U32((uint)tables.Length);
                    int first = _bytes.Count;
                    _bytes.AddRange(new byte[4 * tables.Length]);
                    for (int i = 0; i < tables.Length; i++)
                    {
                        int child = Reference(tables[i]);
                        PatchOffset(first + (4 * i), child);
                    }

                    return start;
                default:
                    throw new InvalidOperationException($"cannot serialise {value.GetType()}");
            }
        }
    }
}
