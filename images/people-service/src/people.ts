/** The people directory (contract 3.2): ten people, in directory order. */
export interface Person {
  logonId: string;
  fullName: string;
  email: string;
  employeeId: string;
  department: string;
  photoUrl: string;
}

function person(number: number, fullName: string, department: string): Person {
  const logonId = `user${String(number).padStart(2, "0")}`;
  return {
    logonId,
    fullName,
    email: `${fullName.toLowerCase().replace(" ", ".")}@example.com`,
    employeeId: `E${String(number).padStart(4, "0")}`,
    department,
    photoUrl: `https://example.com/photos/${logonId}.jpg`,
  };
}

export const PEOPLE: readonly Person[] = [
  person(1, "Alice Johnson", "HR"),
  person(2, "Bob Smith", "Finance"),
  person(3, "Carol Brown", "IT"),
  person(4, "David Lee", "Sales"),
  person(5, "Eva Garcia", "Marketing"),
  person(6, "Frank Wilson", "HR"),
  person(7, "Grace Harris", "Finance"),
  person(8, "Henry Martinez", "IT"),
  person(9, "Ivy Clark", "Sales"),
  person(10, "Jack Lewis", "Marketing"),
];

/** Exact, case-sensitive lookup; the logon id wins when both ids are given. */
export function findPerson(logonId: string | undefined, employeeId: string | undefined): Person | undefined {
  if (logonId) return PEOPLE.find((candidate) => candidate.logonId === logonId);
  return PEOPLE.find((candidate) => candidate.employeeId === employeeId);
}

/** The first `take` people whose full name or logon id contains `searchText` (case-sensitive). */
export function matchingPeople(searchText: string, take: number): Person[] {
  return PEOPLE.filter(
    (candidate) => candidate.fullName.includes(searchText) || candidate.logonId.includes(searchText),
  ).slice(0, take);
}
