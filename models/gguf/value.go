package gguf

import (
	"encoding/binary"
	"fmt"
)

// valueType is a GGUF metadata value type.
type valueType uint32

const (
	typeUint8 valueType = iota
	typeInt8
	typeUint16
	typeInt16
	typeUint32
	typeInt32
	typeFloat32
	typeBool
	typeString
	typeArray
	typeUint64
	typeInt64
	typeFloat64
)

// fixedSizes holds the encoded size of each fixed-size value type.
var fixedSizes = [...]uint64{
	typeUint8: 1, typeInt8: 1, typeUint16: 2, typeInt16: 2, typeUint32: 4,
	typeInt32: 4, typeFloat32: 4, typeBool: 1, typeString: 0, typeArray: 0,
	typeUint64: 8, typeInt64: 8, typeFloat64: 8,
}

// minSize is the smallest encoding of one value of type t: a fixed size, a
// string's length prefix, or an array's element type and count.
func (t valueType) minSize() uint64 {
	switch t {
	case typeString:
		return 8
	case typeArray:
		return 12
	}
	return fixedSizes[t]
}

// typeOf maps a Go metadata value to its GGUF type and, for arrays, the
// element type.
func typeOf(v any) (typ, elem valueType, ok bool) {
	switch v.(type) {
	case uint8:
		return typeUint8, 0, true
	case int8:
		return typeInt8, 0, true
	case uint16:
		return typeUint16, 0, true
	case int16:
		return typeInt16, 0, true
	case uint32:
		return typeUint32, 0, true
	case int32:
		return typeInt32, 0, true
	case float32:
		return typeFloat32, 0, true
	case bool:
		return typeBool, 0, true
	case string:
		return typeString, 0, true
	case uint64:
		return typeUint64, 0, true
	case int64:
		return typeInt64, 0, true
	case float64:
		return typeFloat64, 0, true
	case []uint8:
		return typeArray, typeUint8, true
	case []int8:
		return typeArray, typeInt8, true
	case []uint16:
		return typeArray, typeUint16, true
	case []int16:
		return typeArray, typeInt16, true
	case []uint32:
		return typeArray, typeUint32, true
	case []int32:
		return typeArray, typeInt32, true
	case []float32:
		return typeArray, typeFloat32, true
	case []bool:
		return typeArray, typeBool, true
	case []string:
		return typeArray, typeString, true
	case []uint64:
		return typeArray, typeUint64, true
	case []int64:
		return typeArray, typeInt64, true
	case []float64:
		return typeArray, typeFloat64, true
	case []any:
		return typeArray, typeArray, true
	}
	return 0, 0, false
}

func appendString(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

// appendValue encodes v, preceded by its type when withType is set (array
// elements carry no type of their own).
func appendValue(b []byte, v any, withType bool) ([]byte, error) {
	typ, elem, ok := typeOf(v)
	if !ok {
		return nil, fmt.Errorf("%w: unsupported value type %T", ErrInvalid, v)
	}
	if withType {
		b = binary.LittleEndian.AppendUint32(b, uint32(typ))
	}
	switch v := v.(type) {
	case string:
		return appendString(b, v), nil
	case []string:
		b = appendArrayHeader(b, typeString, len(v))
		for _, s := range v {
			b = appendString(b, s)
		}
		return b, nil
	case []any:
		b = appendArrayHeader(b, typeArray, len(v))
		var err error
		for _, e := range v {
			if !isArray(e) {
				return nil, fmt.Errorf("%w: nested array element %T is not a slice", ErrInvalid, e)
			}
			if b, err = appendValue(b, e, false); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	if typ == typeArray {
		b = appendArrayHeader(b, elem, sliceLen(v, elem))
	}
	return binary.Append(b, binary.LittleEndian, v)
}

func isArray(v any) bool {
	typ, _, ok := typeOf(v)
	return ok && typ == typeArray
}

func appendArrayHeader(b []byte, elem valueType, n int) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(elem))
	return binary.LittleEndian.AppendUint64(b, uint64(n))
}

// sliceLen returns the length of a slice of fixed-size elements.
func sliceLen(v any, elem valueType) int {
	return binary.Size(v) / int(fixedSizes[elem])
}

func (d *decoder) value(t valueType, depth int) (any, error) {
	switch {
	case t == typeString:
		return d.string()
	case t == typeArray:
		return d.array(depth + 1)
	case t > typeFloat64:
		return nil, d.invalid("unknown value type %d", t)
	}
	b, err := d.bytes(fixedSizes[t])
	if err != nil {
		return nil, err
	}
	return decodeFixed(t, b, 1, false), nil
}

func (d *decoder) array(depth int) (any, error) {
	if depth > maxNesting {
		return nil, d.invalid("arrays nested deeper than %d", maxNesting)
	}
	et, err := d.uint32()
	if err != nil {
		return nil, err
	}
	elem := valueType(et)
	if elem > typeFloat64 {
		return nil, d.invalid("unknown array element type %d", elem)
	}
	n, err := d.uint64()
	if err != nil {
		return nil, err
	}
	if err := d.need(n, elem.minSize()); err != nil {
		return nil, err
	}
	switch elem {
	case typeString:
		s := make([]string, n)
		for i := range s {
			if s[i], err = d.string(); err != nil {
				return nil, err
			}
		}
		return s, nil
	case typeArray:
		s := make([]any, n)
		for i := range s {
			if s[i], err = d.value(typeArray, depth); err != nil {
				return nil, err
			}
		}
		return s, nil
	}
	b, err := d.bytes(n * fixedSizes[elem])
	if err != nil {
		return nil, err
	}
	return decodeFixed(elem, b, int(n), true), nil
}

// decodeFixed decodes n values of fixed-size type t from b, as a slice when
// asSlice is set and as a scalar otherwise.
func decodeFixed(t valueType, b []byte, n int, asSlice bool) any {
	switch t {
	case typeUint8:
		return decodeAs[uint8](b, n, asSlice)
	case typeInt8:
		return decodeAs[int8](b, n, asSlice)
	case typeUint16:
		return decodeAs[uint16](b, n, asSlice)
	case typeInt16:
		return decodeAs[int16](b, n, asSlice)
	case typeUint32:
		return decodeAs[uint32](b, n, asSlice)
	case typeInt32:
		return decodeAs[int32](b, n, asSlice)
	case typeFloat32:
		return decodeAs[float32](b, n, asSlice)
	case typeBool:
		return decodeAs[bool](b, n, asSlice)
	case typeUint64:
		return decodeAs[uint64](b, n, asSlice)
	case typeInt64:
		return decodeAs[int64](b, n, asSlice)
	}
	return decodeAs[float64](b, n, asSlice)
}

func decodeAs[T any](b []byte, n int, asSlice bool) any {
	s := make([]T, n)
	_, _ = binary.Decode(b, binary.LittleEndian, s) // len(b) fits by construction
	if asSlice {
		return s
	}
	return s[0]
}
