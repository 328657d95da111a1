package dev.openplus.client;

/**
 * One error of an error answer, as the server sent it.
 *
 * @param status    the HTTP status as a string ({@code "409"})
 * @param code      the error code ({@code InvalidParameter}, {@code ResourceNotFound}, ...)
 * @param title     a short summary
 * @param detail    what was wrong
 * @param pointer   {@code source.pointer}: the JSON pointer of the body member at fault, or null
 * @param parameter {@code source.parameter}: the query parameter at fault, or null
 */
public record ApiError(String status, String code, String title, String detail, String pointer, String parameter) {
}
