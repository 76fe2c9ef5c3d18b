/* Name generation; see namegen.h. */
#include "namegen.h"

#include <string.h>

static PyObject *
plain(int letter)
{
    char s[2] = {(char)('a' + letter % XF_NAME_LETTERS), '\0'};
    return PyUnicode_FromString(s);
}

static PyObject *
subclass(const char *cls, int letter)
{
    PyObject *text = plain(letter);
    if (text == NULL) {
        return NULL;
    }
    PyObject *res = PyObject_CallOneArg(xf_helper(cls), text);
    Py_DECREF(text);
    return res;
}

PyObject *
xf_gen_name(xf_input *in)
{
    int sel = xf_read_u8(in) % XF_NAME_NSEL;
    int letter = xf_read_u8(in);
    char c = (char)('a' + letter % XF_NAME_LETTERS);
    switch (sel) {
    case XF_NAME_EMPTY:
        return PyUnicode_FromString("");
    case XF_NAME_LONG: {
        char buf[301];
        memset(buf, c, 300);
        buf[300] = '\0';
        return PyUnicode_FromString(buf);
    }
    case XF_NAME_NON_ASCII: {
        char buf[4] = {'\xc3', '\xa9', c, '\0'};     /* "é" + letter */
        return (letter & 1) ? PyUnicode_FromString("\xe5\x90\x8d") : PyUnicode_FromString(buf);
    }
    case XF_NAME_SURROGATE: {
        Py_UCS4 units[2] = {(Py_UCS4)c, 0xDC80 + (Py_UCS4)(letter % 64)};
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, units, 2);
    }
    case XF_NAME_NUL: {
        char buf[3] = {c, '\0', c};
        return PyUnicode_FromStringAndSize(buf, 3);
    }
    case XF_NAME_NOT_STR:
        switch (letter % 3) {
        case 0: return PyLong_FromLong(letter);
        case 1: return PyBytes_FromStringAndSize(&c, 1);
        default: return Py_NewRef(Py_None);
        }
    case XF_NAME_STR_SUB: return subclass("StrSub", letter);
    case XF_NAME_STR_BAD_HASH: return subclass("StrBadHash", letter);
    case XF_NAME_STR_BAD_EQ: return subclass("StrBadEq", letter);
    case XF_NAME_STR_COLLIDE: return subclass("StrCollide", letter);
    default:
        return plain(letter);
    }
}

PyObject *
xf_name_copy_error(PyObject *name)
{
    if (!PyUnicode_Check(name)) {
        return PyExc_TypeError;
    }
    int kind = PyUnicode_KIND(name);
    const void *data = PyUnicode_DATA(name);
    PyObject *error = NULL;
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(name); i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (ch >= 0xD800 && ch <= 0xDFFF) {
            /* Encoding fails before the NUL check can run. */
            return PyExc_UnicodeEncodeError;
        }
        if (ch == 0) {
            error = PyExc_ValueError;
        }
    }
    return error;
}

void
xf_enc_name(xf_out *out, enum xf_name_sel sel, int letter)
{
    xf_put_u8(out, (uint8_t)sel);
    xf_put_u8(out, (uint8_t)letter);
}
