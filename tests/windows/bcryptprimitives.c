/* Test-only stand-in for Windows' bcryptprimitives.dll, which Wine 8 lacks. Rust's std (1.78+)
 * imports ProcessPrng from it for HashMap keys and getrandom; without it the .exe does not
 * start under Wine. ProcessPrng fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036), which Wine has. Never shipped: tests/windows.rs builds it with mingw and
 * puts it beside the .exe under test. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
