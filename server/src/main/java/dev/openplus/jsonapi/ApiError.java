package dev.openplus.jsonapi;

/**
 * One entry of a JSON:API {@code errors} array. Body problems carry a {@code pointer} (RFC 6901), query
 * problems a {@code parameter}; at most one of the two is set.
 */
public record ApiError(int status, ErrorCode code, String detail, String pointer, String parameter) {

    public ApiError(ErrorCode code, String detail) {
        this(code.status(), code, detail, null, null);
    }

    public static ApiError parameter(String parameter, String detail) {
        return new ApiError(ErrorCode.InvalidParameter.status(), ErrorCode.InvalidParameter, detail, null, parameter);
    }

    public static ApiError pointer(String pointer, String detail) {
        return new ApiError(ErrorCode.InvalidBodyParameter.status(), ErrorCode.InvalidBodyParameter, detail, pointer,
                null);
    }

    public ApiError withCode(ErrorCode newCode) {
        return new ApiError(newCode.status(), newCode, detail, pointer, parameter);
    }
}
