package dev.migwatch.trends;

/** A request the API refuses: 400 for bad parameters, 404 for unknown tasks. The message goes to the client. */
public class ApiProblem extends RuntimeException {

    private final int status;

    public ApiProblem(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiProblem badRequest(String message) {
        return new ApiProblem(400, message);
    }

    public static ApiProblem notFound(String message) {
        return new ApiProblem(404, message);
    }
}
